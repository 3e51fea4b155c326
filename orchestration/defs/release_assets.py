"""The release: the ONNX export (``exported``), then publishing it (``released``) behind the gate
of :mod:`orchestration.defs.release_gate`, or past it when a person forces it and says why."""

import json
import os
from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.cadence import RELEASED_FRESHNESS
from orchestration.defs.data_assets import CODE_VERSION, POOL
from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import stage_result
from orchestration.defs.release_gate import gate, scores
from orchestration.defs.resources import ArtifactStore, DvcCommand, RetclipProject
from orchestration.defs.run_env import dagster_run
from retclip import pipeline
from retclip.gate import GateInputError, Verdict
from retclip.lineage import read_lineage


@dg.asset(
    key="exported",
    deps=["pretrained", "evaluation"],
    group_name="release",
    kinds={"onnx", "python"},
    code_version=CODE_VERSION,
    pool=POOL,
    automation_condition=dg.AutomationCondition.eager(),
    description="Image and text towers in ONNX with onnxruntime parity, the tokenizer and task "
    "prompts for `retclip predict`, and the model card (retclip export; outputs/export). "
    "Published by `released`, once the gate's checks pass.",
)
def exported(
    context: dg.AssetExecutionContext,
    project: RetclipProject,
    dvc: DvcCommand,
) -> dg.MaterializeResult:
    out = project.output("export")
    with dagster_run(context.run.run_id):
        summary = pipeline.export(
            project.output("pretrain"), out, project.params(), project.output("evaluate")
        )
    parity = json.loads((out / "parity.json").read_text(encoding="utf-8"))
    return stage_result(
        out,
        {
            "parity_max_abs_diff": dg.MetadataValue.float(summary["parity"]["fp32"]),
            "parity": dg.MetadataValue.json(parity["fp32"]["figures"]),
            "parameters": dg.MetadataValue.int(summary["parameters"]),
            "model_card": dg.MetadataValue.md((out / "model_card.md").read_text("utf-8")),
            **record_in_dvc(context, project, dvc, "export"),
        },
    )


class ReleaseConfig(dg.Config):
    """Forcing a release past a failing gate: who does it and why, both recorded with it."""

    force: bool = False
    forced_by: str = ""
    reason: str = ""


@dg.asset(
    key="released",
    deps=["exported"],
    group_name="release",
    kinds={"s3"},
    code_version=CODE_VERSION,
    pool=POOL,
    automation_condition=dg.AutomationCondition.eager()
    & dg.AutomationCondition.all_deps_blocking_checks_passed(),
    freshness_policy=RELEASED_FRESHNESS,
    description="The export published to the artifact store (releases/latest.json names it), "
    "with its scores and the gate's verdicts; held when a gate check fails, unless forced "
    "(config force, forced_by, reason).",
)
def released(
    context: dg.AssetExecutionContext,
    config: ReleaseConfig,
    project: RetclipProject,
    store: ArtifactStore,
) -> dg.MaterializeResult:
    verdicts = gate(project, store)
    failed = [v.reason for v in verdicts.values() if not v.passed]
    if config.force and not (config.forced_by.strip() and config.reason.strip()):
        raise dg.Failure("Forcing a release needs forced_by and reason.", allow_retries=False)
    if failed and not config.force:  # held; no step retry: the gate would answer the same
        raise dg.Failure(" ".join(failed), metadata=gate_metadata(verdicts), allow_retries=False)
    out = project.output("export")
    lineage = read_lineage(out)
    if lineage is None:  # reached only when forced: the parity check holds a missing export
        raise dg.Failure(f"Nothing to release: {out} holds no export.", allow_retries=False)
    lineage_id = lineage["lineage_id"]
    forced = {"by": config.forced_by, "reason": config.reason} if config.force else None
    record = {
        "lineage_id": lineage_id,
        "metrics": {
            "protocol": project.params().release.protocol,
            "scores": readable_scores(project),
        },
        "gate": {name: {"passed": v.passed, "reason": v.reason} for name, v in verdicts.items()},
        "forced": forced,
        "dagster_run_id": context.run.run_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "published_by": os.environ.get("USER", ""),
    }
    if forced:
        context.log.warning(f"release forced by {config.forced_by}: {config.reason}")
    published = store.publish(out, f"export/{lineage_id}", record)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(lineage_id),
        metadata={
            "published_at": dg.MetadataValue.text(published),
            "forced": dg.MetadataValue.bool(config.force),
            **({"forced_by": config.forced_by, "force_reason": config.reason} if forced else {}),
            **gate_metadata(verdicts),
        },
    )


def readable_scores(project: RetclipProject) -> dict[str, float]:
    """The scores recorded with a release; none when a forced release has no readable ones."""
    try:
        return scores(project)
    except GateInputError:
        return {}


def gate_metadata(verdicts: dict[str, Verdict]) -> dict[str, dg.MetadataValue]:
    """The gate as a table a person reads: each check, passed or held, and why."""
    rows = [
        f"| {name} | {'passed' if v.passed else 'held'} | {v.reason} |"
        for name, v in verdicts.items()
    ]
    table = "\n".join(["| check | verdict | why |", "|---|---|---|", *rows])
    return {"gate": dg.MetadataValue.md(table)}
