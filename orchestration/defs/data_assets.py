"""Assets of the data group: validation with quarantine, and preprocessing into shards.

Thin: each calls one ``retclip.pipeline`` function on the same ``outputs/`` paths that dvc.yaml
uses, then describes the result. Stages that write the DVC workspace share the pool
``dvc_workspace`` (limit 1 in the instance's dagster.yaml).
"""

import json

import dagster as dg
import pandas as pd

from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import counts_table, png, stage_result
from orchestration.defs.resources import DvcCommand, RetclipProject
from orchestration.defs.run_env import dagster_run
from retclip import pipeline
from retclip.lineage import code_sha256

CODE_VERSION = code_sha256()[:16]
POOL = "dvc_workspace"


@dg.asset(
    key="validated",
    deps=["raw_data"],
    group_name="data",
    kinds={"python", "great_expectations", "parquet"},
    code_version=CODE_VERSION,
    pool=POOL,
    description="Valid patients, the quarantine with reasons, and the GX results "
    "(retclip validate; outputs/validate). `quarantine_rate` is the share of patients "
    "quarantined; `quarantine_reasons` counts the quarantined patients and eyes per reason "
    "(one can have several); `lineage_id` is the output's DataVersion (lineage.json).",
)
def validated(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    out = project.output("validate")
    with dagster_run(context.run.run_id):
        summary = pipeline.validate(project.raw, out, project.params(), progress=False).summary
    rate = summary["quarantined_patients"] / max(1, summary["rows_in"])
    return stage_result(
        out,
        {
            "rows_in": summary["rows_in"],
            "valid_patients": summary["valid_patients"],
            "one_eye_patients": summary["one_eye_patients"],
            "quarantined_patients": summary["quarantined_patients"],
            "quarantined_eyes": summary["quarantined_eyes"],
            "quarantine_rate": dg.MetadataValue.float(round(rate, 4)),
            "quarantine_reasons": counts_table(summary["reasons"]),
            "laterality_warnings": len(summary["warnings"]),
            **record_in_dvc(context, project, dvc, "validate"),
        },
    )


@dg.asset(
    key="preprocessed",
    deps=["validated"],
    group_name="data",
    kinds={"python", "pillow", "webdataset"},
    code_version=CODE_VERSION,
    pool=POOL,
    description="Field-of-view crops in tar shards, with per-image statistics "
    "(retclip preprocess; outputs/preprocess). `samples` shows the first 16 preprocessed "
    "eyes ([Show Markdown]).",
)
def preprocessed(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    out = project.output("preprocess")
    with dagster_run(context.run.run_id):
        summary = pipeline.preprocess(
            project.raw, project.output("validate"), out, project.params(), progress=False
        )
    stats = pd.read_parquet(out / "images.parquet")
    return stage_result(
        out,
        {
            "patients": summary["patients"],
            "images": summary["images"],
            "shards": len(summary["shards"]),
            "size": summary["size"],
            "median_sharpness": dg.MetadataValue.float(float(stats["sharpness"].median())),
            "draft_decoded": int((stats["decode_scale"] < 1).sum()),
            "samples": png(out / "samples.png", "first 16 preprocessed eyes"),
            "shard_list": dg.MetadataValue.json(json.loads((out / "shards.json").read_text())),
            **record_in_dvc(context, project, dvc, "preprocess"),
        },
    )
