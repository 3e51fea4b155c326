"""``metrics.jsonl`` (one line per optimiser step) and the ``loss.png`` drawn from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


class MetricsLog:
    """Appends one JSON line per step; on resume, lines after the checkpoint are dropped first,
    so a resumed run's log reads like an uninterrupted one."""

    def __init__(self, path: Path, resume_step: int | None):
        self.path = path
        kept = [r for r in read_metrics(path) if r["step"] <= resume_step] if resume_step else []
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in kept)
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def plot_losses(metrics: Path, out: Path) -> None:
    """Total and per-level loss against the step."""
    records = read_metrics(metrics)
    steps = [r["step"] for r in records]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for key, label in (
        ("loss", "total"),
        ("loss_patient", "patient"),
        ("loss_left", "left eye"),
        ("loss_right", "right eye"),
    ):
        ax.plot(
            steps, [r[key] for r in records], label=label, linewidth=1.5 if key == "loss" else 1
        )
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("InfoNCE loss")
    ax.set_title("RET-CLIP pre-training")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, metadata={"Software": None})
    plt.close(fig)
