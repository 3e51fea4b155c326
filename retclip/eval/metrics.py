"""Classification metrics from predicted probabilities, with bootstrap confidence intervals.

One function turns (labels, probabilities) into every figure the paper and its reviewers ask
for, so linear probe, fine-tuning, zero-shot and the baselines are scored the same way.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
)

from retclip.eval.dataset import TaskKind

HEADLINE = "auroc"


def score(kind: TaskKind, labels: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Every metric of one prediction: ``probs`` is ``[N, C]`` (class or label probabilities)."""
    if kind == "multilabel":
        return _multilabel(labels, probs)
    classes = probs.shape[1]
    predicted = probs.argmax(1)
    onehot = np.eye(classes, dtype=np.int64)[labels]
    result = {
        "auroc": _macro(_auroc, onehot, probs),
        "aupr": _macro(average_precision_score, onehot, probs),
        "accuracy": float(accuracy_score(labels, predicted)),
        "balanced_accuracy": _quiet(balanced_accuracy_score, labels, predicted),
        "macro_f1": float(f1_score(labels, predicted, average="macro", zero_division=0)),
    }
    if kind == "ordinal":
        result["quadratic_kappa"] = _kappa(labels, predicted)
    return result


def per_class(kind: TaskKind, labels: np.ndarray, probs: np.ndarray) -> list[dict[str, float]]:
    """AUROC, AUPR, sensitivity and support of each class (one-vs-rest)."""
    targets = labels if kind == "multilabel" else np.eye(probs.shape[1], dtype=np.int64)[labels]
    predicted = (probs >= 0.5) if kind == "multilabel" else np.eye(probs.shape[1])[probs.argmax(1)]
    rows = []
    for c in range(probs.shape[1]):
        y, p = targets[:, c], probs[:, c]
        positives = int(y.sum())
        rows.append(
            {
                "auroc": _binary(_auroc, y, p),
                "aupr": _binary(average_precision_score, y, p),
                "sensitivity": float(predicted[y == 1, c].mean()) if positives else float("nan"),
                "support": positives,
            }
        )
    return rows


def bootstrap_interval(
    kind: TaskKind,
    labels: np.ndarray,
    runs: list[np.ndarray],
    metric: str,
    resamples: int,
    seed: int = 0,
) -> tuple[float, float] | None:
    """95% interval of the seed-averaged ``metric``, resampling the test set with replacement.

    Every run (seed) is scored on the same resample, so the interval covers the test-set
    sampling error of the reported mean; resamples where the metric is undefined (a class
    absent) are skipped.
    """
    if resamples <= 0:
        return None
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        index = rng.integers(0, len(labels), len(labels))
        scores = [score_one(kind, labels[index], probs[index], metric) for probs in runs]
        if not any(np.isnan(scores)):
            values.append(float(np.mean(scores)))
    if len(values) < resamples // 2:
        return None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def score_one(kind: TaskKind, labels: np.ndarray, probs: np.ndarray, metric: str) -> float:
    """One metric alone (the bootstrap's inner loop)."""
    if metric == "auroc":
        targets = labels if kind == "multilabel" else np.eye(probs.shape[1])[labels]
        return _macro(_auroc, targets, probs)
    if metric == "quadratic_kappa":
        return _kappa(labels, probs.argmax(1))
    return score(kind, labels, probs)[metric]


def _multilabel(labels: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    predicted = (probs >= 0.5).astype(np.int64)
    return {
        "auroc": _macro(_auroc, labels, probs),
        "aupr": _macro(average_precision_score, labels, probs),
        "accuracy": float((predicted == labels).mean()),  # per label, then averaged
        "balanced_accuracy": float(
            np.nanmean(
                [
                    _quiet(balanced_accuracy_score, labels[:, c], predicted[:, c])
                    for c in range(labels.shape[1])
                ]
            )
        ),
        "macro_f1": float(f1_score(labels, predicted, average="macro", zero_division=0)),
    }


def _macro(fn, targets: np.ndarray, probs: np.ndarray) -> float:
    """Mean over the classes that have both positives and negatives (NaN if none has)."""
    values = [_binary(fn, targets[:, c], probs[:, c]) for c in range(probs.shape[1])]
    values = [v for v in values if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def _binary(fn, target: np.ndarray, prob: np.ndarray) -> float:
    if target.min() == target.max():
        return float("nan")
    return float(fn(target, prob))


def _auroc(target: np.ndarray, prob: np.ndarray) -> float:
    """Mann-Whitney AUROC (ties count half): equal to sklearn's, and fast enough to bootstrap."""
    ranks = rankdata(prob)
    positives = target.astype(bool)
    n_pos = int(positives.sum())
    n_neg = len(target) - n_pos
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _kappa(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Quadratic-weighted kappa with weights from the grade distance (numpy: fast enough to
    bootstrap); NaN when labels and predictions hold a single grade."""
    if len(np.unique(np.concatenate([labels, predicted]))) < 2:
        return float("nan")
    grades = int(max(labels.max(), predicted.max())) + 1
    observed = np.zeros((grades, grades))
    np.add.at(observed, (labels, predicted), 1)
    expected = np.outer(observed.sum(1), observed.sum(0)) / observed.sum()
    distance = np.subtract.outer(np.arange(grades), np.arange(grades)) ** 2
    return float(1 - (distance * observed).sum() / (distance * expected).sum())


def _quiet(fn, *args: Any) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", UserWarning)
        return float(fn(*args))
