"""Assets of the reports: cleaning with PHI scrubbing, and the tokenizer; the PHI leak check."""

import json

import dagster as dg
import pandas as pd

from orchestration.defs.data_assets import CODE_VERSION, POOL
from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import counts_table, stage_result
from orchestration.defs.resources import DvcCommand, RetclipProject
from orchestration.defs.run_env import dagster_run
from retclip import pipeline
from retclip.text.leak_scan import scan_for_phi
from retclip.text.phi_recall import LANGS
from retclip.text.tokenizer import load_backend


@dg.asset(
    key="cleaned_reports",
    deps=["validated"],
    group_name="data",
    kinds={"python", "pandas", "parquet"},
    code_version=CODE_VERSION,
    pool=POOL,
    description="Reports normalised, PHI replaced by typed placeholders, split into left, right "
    "and patient texts (retclip clean-reports; outputs/clean_reports).",
)
def cleaned_reports(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    out = project.output("clean_reports")
    with dagster_run(context.run.run_id):
        audit = pipeline.clean_reports(
            project.output("validate"), out, project.params(), progress=False
        ).audit
    return stage_result(
        out,
        {
            "rows_in": audit["rows_in"],
            "reports": audit["reports"],
            "quarantined": audit["quarantined"],
            "quarantine_reasons": counts_table(audit["quarantine_reasons"]),
            "languages": counts_table(audit["languages"], key="language"),
            "phi_replaced": audit["phi_total"],
            "phi_per_type": counts_table(audit["phi_counts"], key="type"),
            "sections": dg.MetadataValue.json(audit["sections"]),
            "safe_harbor_recall_set_a": recall_metadata(audit["safe_harbor_recall"]["A"]),
            "safe_harbor_recall_set_b": recall_metadata(audit["safe_harbor_recall"]["B"]),
            **record_in_dvc(context, project, dvc, "clean_reports"),
        },
    )


@dg.asset_check(
    asset="cleaned_reports",
    blocking=True,
    description="No PHI left: the detector finds nothing in the cleaned texts, no PHI value "
    "of a raw report appears in them, and the code that cleaned them found every identifier of "
    "every Safe Harbor category in the independently written recall set A (phi_audit.json; "
    "counts only, never values).",
)
def no_phi_left_in_cleaned_reports(project: RetclipProject) -> dg.AssetCheckResult:
    folder = project.output("clean_reports")
    reports = pd.read_parquet(folder / "reports.parquet")
    manifest = pd.read_parquet(project.output("validate") / "manifest.parquet")
    scan = scan_for_phi(reports, manifest)
    audit = json.loads((folder / "phi_audit.json").read_text(encoding="utf-8"))
    recall = audit["safe_harbor_recall"]["A"]
    return dg.AssetCheckResult(
        passed=scan["leaks"] == 0 and recall["leaked"] == 0,
        metadata={
            "rows_scanned": scan["rows_scanned"],
            "detector_hits": dg.MetadataValue.json(scan["detector_hits"]),
            "verbatim_leaks": dg.MetadataValue.json(scan["verbatim_leaks"]),
            "safe_harbor_values_leaked": recall["leaked"],
            "safe_harbor_recall": recall_metadata(recall),
        },
    )


def recall_metadata(measured: dict) -> dg.MetadataValue:
    """Found / written per Safe Harbor category and language, as a table for the UI."""
    columns = [dg.TableColumn("category", "string")] + [
        dg.TableColumn(lang, "string") for lang in LANGS
    ]
    records = [
        dg.TableRecord(
            {
                "category": kind,
                **{lang: f"{v['values'] - v['leaked']}/{v['values']}" for lang, v in by.items()},
            }
        )
        for kind, by in measured["categories"].items()
    ]
    return dg.MetadataValue.table(records, schema=dg.TableSchema(columns=columns))


@dg.asset(
    key="tokenizer",
    deps=["cleaned_reports"],
    group_name="model",
    kinds={"python", "huggingface"},
    code_version=CODE_VERSION,
    pool=POOL,
    description="WordPiece tokenizer trained on the cleaned reports, or the BERT-Chinese "
    "vocabulary (retclip tokenizer; outputs/tokenizer).",
)
def tokenizer(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    out = project.output("tokenizer")
    params = project.params()
    with dagster_run(context.run.run_id):
        pipeline.tokenizer(project.output("clean_reports"), out, params)
    return stage_result(
        out,
        {
            "kind": params.tokenizer.kind,
            "vocab_size": load_backend(out).get_vocab_size(),
            "context_length": params.tokenizer.context_length,
            **record_in_dvc(context, project, dvc, "tokenizer"),
        },
    )
