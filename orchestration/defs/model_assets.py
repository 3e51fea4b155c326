"""Pre-training through Dagster Pipes: the same `retclip pretrain` command, in a subprocess here
or in a pod on a GPU cluster (``TrainingLauncher.mode = "k8s"``), reporting back to Dagster.

Each pre-training writes only its own folder and reads finished upstream outputs, so each has a
pool of its own (limit 1: never two writers of one folder) instead of the shared
``dvc_workspace`` pool, and the two can run side by side (``make demo`` runs them so, sharing
one text warm-up through its cache)."""

import json
import math
from pathlib import Path

import dagster as dg

from orchestration.defs.cadence import PRETRAINED_FRESHNESS
from orchestration.defs.data_assets import CODE_VERSION, POOL
from orchestration.defs.dvc_record import record_in_dvc
from orchestration.defs.metadata import png, stage_result
from orchestration.defs.resources import DvcCommand, RetclipProject, TrainingLauncher
from retclip.dvc_repo import DvcError


@dg.asset(
    key="pretrained",
    deps=["preprocessed", "cleaned_reports", "tokenizer"],
    group_name="model",
    kinds={"pytorch", "safetensors"},
    code_version=CODE_VERSION,
    pool=f"{POOL}/pretrain",
    freshness_policy=PRETRAINED_FRESHNESS,
    description="RET-CLIP pre-trained with the tripartite loss (retclip pretrain through Dagster "
    "Pipes; outputs/pretrain/model loads with RetClip.from_pretrained).",
)
def pretrained(
    context: dg.AssetExecutionContext,
    project: RetclipProject,
    launcher: TrainingLauncher,
    dvc: DvcCommand,
) -> dg.MaterializeResult:
    return launch_pretrain(context, project, launcher, dvc, "pretrain")


@dg.asset(
    key="pretrained_patient_only",
    deps=["preprocessed", "cleaned_reports", "tokenizer"],
    group_name="model",
    kinds={"pytorch", "safetensors"},
    code_version=CODE_VERSION,
    pool=f"{POOL}/pretrain_patient_only",
    description="The paper's ablation: the same pre-training with the patient-level term alone "
    "(lambda_left = lambda_right = 0), evaluated beside the tripartite model "
    "(outputs/pretrain_patient_only).",
)
def pretrained_patient_only(
    context: dg.AssetExecutionContext,
    project: RetclipProject,
    launcher: TrainingLauncher,
    dvc: DvcCommand,
) -> dg.MaterializeResult:
    return launch_pretrain(context, project, launcher, dvc, "pretrain_patient_only", PATIENT_ONLY)


PATIENT_ONLY = ("--set", "pretrain.lambda_left=0", "--set", "pretrain.lambda_right=0")


def pretrain_args(project: RetclipProject, out: Path) -> list[str]:
    """``retclip pretrain``'s arguments for the project's inputs, as dvc.yaml writes them."""
    return [
        "pretrain",
        "--images",
        str(project.output("preprocess")),
        "--reports",
        str(project.output("clean_reports")),
        "--tokenizer",
        str(project.output("tokenizer")),
        "--out",
        str(out),
        "--params",
        str(project.path(project.params_file)),
    ]


def launch_pretrain(
    context: dg.AssetExecutionContext,
    project: RetclipProject,
    launcher: TrainingLauncher,
    dvc: DvcCommand,
    stage: str,
    overrides: tuple[str, ...] = (),
) -> dg.MaterializeResult:
    """``retclip pretrain`` through Pipes into ``outputs/<stage>``: the command of dvc.yaml, with
    ``--resume=auto`` so that a retry after a crash continues from the last checkpoint of the same
    lineage (inputs, code, parameters) and any other run starts afresh."""
    out = project.output(stage)
    # a retried run continues its own checkpoints, never another lineage's
    args = [*pretrain_args(project, out), "--resume=auto", *overrides]
    reported = launcher.launch(context, args, project.path(), stage).get_materialize_result()
    # the subprocess reported the lineage id as the data version; stage_result reads the same
    return stage_result(
        out,
        {
            **(reported.metadata or {}),
            "loss_curve": png(out / "loss.png", "training loss per level"),
            **record_in_dvc(context, project, dvc, stage),
        },
    )


@dg.asset_check(
    asset="pretrained",
    blocking=True,
    description="Every logged loss is finite and the loss fell: the mean of the last "
    "tenth of the steps is below the mean of the first tenth.",
)
def loss_is_finite_and_fell(project: RetclipProject) -> dg.AssetCheckResult:
    lines = (project.output("pretrain") / "metrics.jsonl").read_text().splitlines()
    losses = [json.loads(line)["loss"] for line in lines if line.strip()]
    finite = bool(losses) and all(math.isfinite(v) for v in losses)
    tenth = max(1, len(losses) // 10)
    first = sum(losses[:tenth]) / tenth if losses else math.nan
    last = sum(losses[-tenth:]) / tenth if losses else math.nan
    return dg.AssetCheckResult(
        passed=finite and last < first,
        metadata={
            "steps": len(losses),
            "first_loss": round(first, 4),
            "last_loss": round(last, 4),
            "finite": finite,
        },
    )


@dg.asset_check(
    asset="pretrained",
    blocking=False,
    description="`dvc diff`: the model Dagster recorded has the bytes of the dvc.lock committed "
    "in git (both runners write the same bytes), or which files differ, with both md5s.",
)
def model_matches_committed_lock(project: RetclipProject, dvc: DvcCommand) -> dg.AssetCheckResult:
    try:
        changes = dvc.repo(project.path()).changes_since_commit().get("pretrain", [])
    except DvcError as exc:
        return diff_result(False, f"dvc diff failed: {exc}")
    said = "\n".join(f"{c.path}: {c.old} -> {c.new}" for c in changes)
    return diff_result(not changes, said or "same bytes as the committed dvc.lock")


def diff_result(passed: bool, said: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"dvc_diff": dg.MetadataValue.md(f"```\n{said[-3000:]}\n```")},
    )
