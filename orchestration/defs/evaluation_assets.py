"""Assets of the evaluation group: the held-out clinic, and one evaluation partition per task.

The partitions are the task names of ``params.yaml`` (read when the code location loads), so a
task added there appears in the UI after a reload; each partition writes
``outputs/evaluate/<task>``, as ``dvc.yaml``'s ``foreach`` does.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.data_assets import CODE_VERSION, POOL
from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import png, stage_result
from orchestration.defs.resources import DvcCommand, RetclipProject, default_root
from orchestration.defs.run_env import dagster_run
from retclip import pipeline
from retclip.config import load_params


def task_names() -> list[str]:
    return [t.name for t in load_params(Path(default_root(), "params.yaml")).evaluate.tasks]


TASKS = dg.StaticPartitionsDefinition(task_names())


@dg.asset(
    key="eval_clinic",
    group_name="evaluation",
    kinds={"python", "pillow"},
    code_version=CODE_VERSION,
    pool=POOL,
    description="A second synthetic clinic with other patients (evaluate.clinic), never seen in "
    "pre-training: the demo's downstream tasks are scored on it (retclip eval-clinic; "
    "outputs/eval_clinic).",
)
def eval_clinic(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    out = project.output("eval_clinic")
    with dagster_run(context.run.run_id):
        summary = pipeline.eval_clinic(out, project.params(), progress=False)
    return stage_result(
        out,
        {
            "patients": summary.patients,
            "images": summary.images,
            **record_in_dvc(context, project, dvc, "eval_clinic"),
        },
    )


@dg.asset(
    key="evaluation",
    deps=["pretrained", "pretrained_patient_only", "eval_clinic"],
    partitions_def=TASKS,
    group_name="evaluation",
    kinds={"pytorch", "scikitlearn"},
    code_version=CODE_VERSION,
    pool=POOL,
    automation_condition=dg.AutomationCondition.eager(),
    description="One downstream task (the partition): linear probe, fine-tuning, zero-shot and "
    "retrieval of RET-CLIP against random-init, supervised and patient-loss-only baselines "
    "(retclip evaluate; outputs/evaluate/<task>). Pick a partition to see `table` (every model "
    "and protocol; AUROC with its bootstrap interval), `roc` (the ROC curves, [Show Markdown]) "
    "and `<model>/<protocol>/auroc`.",
)
def evaluation(
    context: dg.AssetExecutionContext, project: RetclipProject, dvc: DvcCommand
) -> dg.MaterializeResult:
    task = context.partition_key
    out = project.output("evaluate") / task
    patient_only = project.output("pretrain_patient_only")
    with dagster_run(context.run.run_id):
        summary = pipeline.evaluate(
            project.output("pretrain"),
            task,
            out,
            project.params(),
            patient_only_model=patient_only if patient_only.is_dir() else None,
            base=project.path(),
            progress=False,
        )
    headline = {
        f"{row['model']}/{row['protocol']}/auroc": dg.MetadataValue.float(auroc)
        for row in summary["results"]
        if (auroc := row["metrics"]["auroc"]["mean"]) is not None
    }
    return stage_result(
        out,
        {
            "table": dg.MetadataValue.md((out / "table.md").read_text(encoding="utf-8")),
            "roc": png(out / "roc.png", f"ROC curves, {task}"),
            **headline,
            "samples": dg.MetadataValue.json(summary["samples"]),
            "quarantined": len(summary["quarantine"]),
            **record_in_dvc(context, project, dvc, dvc_stage(project, task)),
        },
    )


def dvc_stage(project: RetclipProject, task: str) -> str:
    """dvc.yaml's ``foreach`` names a task's stage by its position: ``evaluate@<index>``."""
    names = [t.name for t in project.params().evaluate.tasks]
    return f"evaluate@{names.index(task)}"
