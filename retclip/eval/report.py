"""What a person reads of an evaluation: ``metrics.json``, ``table.md``, ``roc.png``, predictions.

Each (model, protocol) row reports the mean and standard deviation over seeds and, for the
headline metrics, a bootstrap 95% interval of that mean over the test patients.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from retclip.eval.dataset import TaskDataset
from retclip.eval.metrics import bootstrap_interval, per_class
from retclip.eval.run import Run, TaskResult

import matplotlib  # isort: skip

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # isort: skip

COLUMNS = {
    "auroc": "AUROC",
    "aupr": "AUPR",
    "accuracy": "Acc.",
    "balanced_accuracy": "Bal. acc.",
    "macro_f1": "Macro-F1",
    "quadratic_kappa": "QW kappa",
}
WITH_INTERVAL = ("auroc", "quadratic_kappa")
MODEL_NAMES = {
    "retclip": "RET-CLIP",
    "patient_only": "RET-CLIP, patient loss only",
    "random_init": "random init",
    "supervised": "supervised",
}


def summarise(dataset: TaskDataset, result: TaskResult, bootstrap: int) -> list[dict[str, Any]]:
    """One row per (model, protocol): metric -> {mean, std, ci}, plus per-class figures."""
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in result.runs:
        groups[(run.model, run.protocol)].append(run)
    test_labels = result.labels[result.test_rows]
    rows = []
    for (model, protocol), runs in groups.items():
        metrics = {}
        for metric in runs[0].metrics:
            entry = _spread(np.asarray([r.metrics[metric] for r in runs], dtype=float))
            if metric in WITH_INTERVAL:
                entry["ci95"] = bootstrap_interval(
                    dataset.kind, test_labels, [r.probs for r in runs], metric, bootstrap
                )
            metrics[metric] = entry
        mean_probs = np.mean([r.probs for r in runs], axis=0)
        rows.append(
            {
                "model": model,
                "protocol": protocol,
                "seeds": [r.seed for r in runs],
                "metrics": metrics,
                "per_class": dict(
                    zip(
                        dataset.classes,
                        per_class(dataset.kind, test_labels, mean_probs),
                        strict=True,
                    )
                ),
                "selection": [r.selection for r in runs],
            }
        )
    return rows


def markdown_table(task: str, rows: list[dict[str, Any]], retrieval: dict) -> str:
    """The table ``make demo`` prints and the model card embeds."""
    metrics = [m for m in COLUMNS if any(m in r["metrics"] for r in rows)]
    lines = [
        f"### {task}",
        "",
        "| model | protocol | " + " | ".join(COLUMNS[m] for m in metrics) + " |",
        "|---|---|" + "---|" * len(metrics),
    ]
    for row in rows:
        cells = [_cell(row["metrics"].get(m)) for m in metrics]
        name = MODEL_NAMES.get(row["model"], row["model"])
        lines.append(f"| {name} | {row['protocol']} | " + " | ".join(cells) + " |")
    if retrieval:
        lines += [
            "",
            "| model | level | pairs | image→report R@1/5/10 | report→image R@1/5/10 |",
            "|---|---|---|---|---|",
        ]
    for model, levels in retrieval.items():
        for level, figures in levels.items():
            cells = [
                " / ".join(f"{figures[f'{direction}_r@{k}']:.3f}" for k in (1, 5, 10))
                for direction in ("image_to_text", "text_to_image")
            ]
            name = MODEL_NAMES.get(model, model)
            lines.append(f"| {name} | {level} | {figures['pairs']} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def _cell(entry: dict[str, Any] | None) -> str:
    if entry is None or entry["mean"] is None:
        return "n/a"
    text = f"{entry['mean']:.3f} ± {entry['std']:.3f}"
    ci = entry.get("ci95")
    return text + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def roc_figure(dataset: TaskDataset, result: TaskResult, path: Path) -> Path:
    """Macro-averaged one-vs-rest ROC curve of every (model, protocol), seeds averaged."""
    groups: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
    for run in result.runs:
        groups[(run.model, run.protocol)].append(run.probs)
    labels = result.labels[result.test_rows]
    targets = labels if dataset.kind == "multilabel" else np.eye(len(dataset.classes))[labels]
    grid = np.linspace(0, 1, 101)
    fig, ax = plt.subplots(figsize=(5.5, 5), dpi=100)
    for (model, protocol), probs in groups.items():
        mean_probs = np.mean(probs, axis=0)
        curves = [
            np.interp(grid, *roc_curve(targets[:, c], mean_probs[:, c])[:2])
            for c in range(targets.shape[1])
            if 0 < targets[:, c].sum() < len(targets)
        ]
        if curves:
            name = MODEL_NAMES.get(model, model)
            ax.plot(grid, np.mean(curves, axis=0), label=f"{name} ({protocol})")
    ax.plot([0, 1], [0, 1], "k:", linewidth=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=dataset.name)
    if ax.get_legend_handles_labels()[0]:  # no curve when the test set has a single class
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def predictions_frame(result: TaskResult, sample_ids: np.ndarray) -> pd.DataFrame:
    """Every test prediction: sample, model, protocol, seed, label and class probabilities."""
    labels = result.labels[result.test_rows]
    records = []
    for run in result.runs:
        for i, row in enumerate(result.test_rows):
            records.append(
                {
                    "sample_id": sample_ids[row],
                    "model": run.model,
                    "protocol": run.protocol,
                    "seed": run.seed,
                    "label": np.atleast_1d(labels[i]).tolist(),
                    "probs": run.probs[i].round(6).tolist(),
                }
            )
    return pd.DataFrame.from_records(records)


def _spread(values: np.ndarray) -> dict[str, Any]:
    """Mean and standard deviation over the seeds where the metric is defined."""
    finite = values[~np.isnan(values)]
    return {
        "mean": round(float(finite.mean()), 6) if len(finite) else None,
        "std": round(float(finite.std()), 6) if len(finite) else None,
        "seeds": [_nan_none(v) for v in values],
    }


def _nan_none(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)
