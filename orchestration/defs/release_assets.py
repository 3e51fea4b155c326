"""The release: ONNX export with parity, the model card, published to the artifact store."""

import json

import dagster as dg

from orchestration.defs.data_assets import CODE_VERSION, POOL
from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import stage_result
from orchestration.defs.resources import ArtifactStore, DvcCommand, RetclipProject
from orchestration.defs.run_env import dagster_run
from retclip import pipeline
from retclip.lineage import read_lineage, sha256_file


@dg.asset(
    key="exported",
    deps=["pretrained", "evaluation"],
    group_name="release",
    kinds={"onnx", "python"},
    code_version=CODE_VERSION,
    pool=POOL,
    automation_condition=dg.AutomationCondition.eager(),
    description="Image and text towers in ONNX with onnxruntime parity, the tokenizer and task "
    "prompts for `retclip predict`, and the model card (retclip export; outputs/export), "
    "published to the artifact store.",
)
def exported(
    context: dg.AssetExecutionContext,
    project: RetclipProject,
    store: ArtifactStore,
    dvc: DvcCommand,
) -> dg.MaterializeResult:
    out = project.output("export")
    with dagster_run(context.run.run_id):
        summary = pipeline.export(
            project.output("pretrain"), out, project.params(), project.output("evaluate")
        )
    lineage_id = read_lineage(out)["lineage_id"]
    parity = json.loads((out / "parity.json").read_text(encoding="utf-8"))
    return stage_result(
        out,
        {
            "parity_max_abs_diff": dg.MetadataValue.float(summary["parity"]["fp32"]),
            "parity": dg.MetadataValue.json(parity["fp32"]["figures"]),
            "parameters": dg.MetadataValue.int(summary["parameters"]),
            "model_card": dg.MetadataValue.md((out / "model_card.md").read_text("utf-8")),
            **record_in_dvc(context, project, dvc, "export"),
            "published_at": dg.MetadataValue.text(store.publish(out, f"export/{lineage_id}")),
        },
    )


@dg.asset_check(
    asset="exported",
    blocking=True,
    description="ONNX parity: onnxruntime matched PyTorch within export.parity_atol at every "
    "batch size, and the graphs on disk are the ones that were verified (sha256 as recorded).",
)
def onnx_parity_within_tolerance(project: RetclipProject) -> dg.AssetCheckResult:
    out = project.output("export")
    parity = json.loads((out / "parity.json").read_text(encoding="utf-8"))
    recorded = read_lineage(out)["files"]
    changed = [
        name
        for name in recorded
        if name.endswith((".onnx", ".onnx.data"))
        and (not (out / name).is_file() or sha256_file(out / name) != recorded[name])
    ]
    worst = parity["fp32"]["max_abs_diff"]
    return dg.AssetCheckResult(
        passed=worst <= parity["atol"] and not changed,
        metadata={
            "max_abs_diff": dg.MetadataValue.float(worst),
            "atol": dg.MetadataValue.float(parity["atol"]),
            "batch_sizes": dg.MetadataValue.json(parity["batch_sizes"]),
            "changed_since_export": dg.MetadataValue.json(changed),
        },
    )
