"""The release gate: what a model must score before it ships, and why it is held when it does not.

Pure functions over the evaluation outputs (``outputs/evaluate/<task>/metrics.json``) and the
record of the last published release; the orchestration runs them as blocking checks in front of
publishing. Every verdict carries one sentence that a person reads in the UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL = "retclip"  # the row of metrics.json the gate reads: the pre-trained model itself
METRIC = "auroc"


class GateInputError(ValueError):
    """A metrics file is missing or malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Verdict:
    """Whether the gate lets a model through, and why, in one sentence."""

    passed: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def task_scores(evaluations: Path, tasks: list[str], protocol: str) -> dict[str, float]:
    """The RET-CLIP test AUROC (mean over seeds) of ``protocol`` for every task, in task order."""
    return {
        task: _task_score(Path(evaluations) / task / "metrics.json", protocol) for task in tasks
    }


def _task_score(path: Path, protocol: str) -> float:
    if not path.is_file():
        raise GateInputError(f"{path} is missing: evaluate this task before releasing")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["results"]
        (row,) = [r for r in rows if r["model"] == MODEL and r["protocol"] == protocol]
        value = row["metrics"][METRIC]["mean"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GateInputError(
            f"{path} has no readable {MODEL} {protocol} {METRIC} ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(value, int | float):  # null: undefined, e.g. a test set of one class
        raise GateInputError(f"{path}: the {MODEL} {protocol} {METRIC} is {value!r}, not a number")
    if not 0.0 <= value <= 1.0:
        raise GateInputError(f"{path}: {protocol} {METRIC} {value} is not between 0 and 1")
    return value


def floor_verdict(scores: dict[str, float], floor: float) -> Verdict:
    """Every task at or above ``floor``."""
    below = {task: value for task, value in scores.items() if value < floor}
    details = {"floor": floor, "scores": scores}
    if below:
        listed = ", ".join(f"{task} {value:.3f}" for task, value in below.items())
        return Verdict(False, f"Held: AUROC below the floor of {floor:.3f} on {listed}.", details)
    return Verdict(True, f"Every task is at or above the AUROC floor of {floor:.3f}.", details)


def regression_verdict(
    scores: dict[str, float], last: dict[str, Any] | None, max_drop: float
) -> Verdict:
    """No task more than ``max_drop`` below the last published release (``None``: none yet).

    Tasks the last release was not scored on (or no longer configured) are not compared.
    """
    if last is None:
        return Verdict(True, "No release was published before: nothing to compare with.")
    try:
        before = {task: float(value) for task, value in last["metrics"]["scores"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        name = last.get("name") if isinstance(last, dict) else None
        return Verdict(False, f"Held: the last release {name!r} records no readable scores.")
    details = {"last_release": last.get("name"), "last_scores": before, "max_drop": max_drop}
    worse = {
        task: (before[task], value)
        for task, value in scores.items()
        if task in before and value < before[task] - max_drop
    }
    if worse:
        listed = ", ".join(f"{t} {new:.3f} (was {old:.3f})" for t, (old, new) in worse.items())
        return Verdict(
            False,
            f"Held: worse than the last release {last.get('name')!r} by more than "
            f"{max_drop:.3f} on {listed}.",
            details,
        )
    return Verdict(
        True,
        f"No task is more than {max_drop:.3f} below the last release {last.get('name')!r}.",
        details,
    )


def parity_verdict(export: Path) -> Verdict:
    """onnxruntime matched PyTorch within the recorded tolerance, and the ONNX files on disk are
    the ones that were verified (sha256 as ``lineage.json`` records them)."""
    from retclip.lineage import read_lineage, sha256_file

    export = Path(export)
    try:
        parity = json.loads((export / "parity.json").read_text(encoding="utf-8"))
        worst, atol = float(parity["fp32"]["max_abs_diff"]), float(parity["atol"])
        recorded = (read_lineage(export) or {})["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verdict(False, f"Held: {export} has no readable parity record ({exc}).")
    changed = [
        name
        for name in recorded
        if name.endswith((".onnx", ".onnx.data"))
        and (not (export / name).is_file() or sha256_file(export / name) != recorded[name])
    ]
    details = {
        "max_abs_diff": worst,
        "atol": atol,
        "batch_sizes": parity.get("batch_sizes"),
        "changed_since_export": changed,
    }
    if changed:
        reason = f"Held: {', '.join(changed)} changed since parity was verified."
        return Verdict(False, reason, details)
    if not worst <= atol:
        reason = f"Held: ONNX differs from PyTorch by {worst:.2e} (limit {atol:.0e})."
        return Verdict(False, reason, details)
    return Verdict(True, f"ONNX matches PyTorch within {atol:.0e} (worst {worst:.2e}).", details)
