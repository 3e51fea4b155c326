"""The release gate as blocking checks on ``exported``: ONNX parity, an AUROC floor on every
evaluation task, no regression against the last published release.

A failed check stops ``released`` in the same run, and ``released`` runs the same verdicts again
before it publishes (it may be launched on its own), so nothing ships past a failing gate unless
a person forces it. Each verdict says why in one sentence: the check's description in the UI.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.resources import ArtifactStore, RetclipProject
from retclip.gate import (
    GateInputError,
    Verdict,
    floor_verdict,
    parity_verdict,
    regression_verdict,
    task_scores,
)
from retclip.storage import StoreError


def scores(project: RetclipProject) -> dict[str, float]:
    """The gated AUROC of every configured task; :class:`GateInputError` when one is unreadable."""
    params = project.params()
    tasks = [task.name for task in params.evaluate.tasks]
    return task_scores(project.output("evaluate"), tasks, params.release.protocol)


def floor(project: RetclipProject) -> Verdict:
    try:
        found = scores(project)
    except GateInputError as exc:
        return Verdict(False, f"Held: {exc}.")
    return floor_verdict(found, project.params().release.auroc_floor)


def no_regression(project: RetclipProject, store: ArtifactStore) -> Verdict:
    try:
        found = scores(project)
    except GateInputError as exc:
        return Verdict(False, f"Held: {exc}.")
    try:
        last = store.last_release()
    except StoreError as exc:
        return Verdict(False, f"Held: the last release cannot be read ({exc}).")
    return regression_verdict(found, last, project.params().release.max_drop)


def gate(project: RetclipProject, store: ArtifactStore) -> dict[str, Verdict]:
    """Every verdict of the gate, by check name."""
    return {
        "onnx_parity_within_tolerance": parity_verdict(project.output("export")),
        "auroc_at_or_above_floor": floor(project),
        "no_regression_against_last_release": no_regression(project, store),
    }


def check_result(verdict: Verdict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=verdict.passed,
        description=verdict.reason,
        metadata={"reason": verdict.reason, **verdict.details},
    )


@dg.asset_check(
    asset="exported",
    blocking=True,
    description="ONNX parity: onnxruntime matched PyTorch within export.parity_atol at every "
    "batch size, and the graphs on disk are the ones that were verified (sha256 as recorded).",
)
def onnx_parity_within_tolerance(project: RetclipProject) -> dg.AssetCheckResult:
    return check_result(parity_verdict(project.output("export")))


@dg.asset_check(
    asset="exported",
    blocking=True,
    description="Every evaluation task's RET-CLIP test AUROC (release.protocol) is at or above "
    "release.auroc_floor; a missing or malformed metrics.json holds the release.",
)
def auroc_at_or_above_floor(project: RetclipProject) -> dg.AssetCheckResult:
    return check_result(floor(project))


@dg.asset_check(
    asset="exported",
    blocking=True,
    description="No task more than release.max_drop below the last published release, whose "
    "scores are read back from the artifact store; an unreadable store holds the release.",
)
def no_regression_against_last_release(
    project: RetclipProject, store: ArtifactStore
) -> dg.AssetCheckResult:
    return check_result(no_regression(project, store))
