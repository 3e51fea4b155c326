"""Linear probe: logistic regression on frozen features, its strength chosen on validation.

scikit-learn's L-BFGS logistic regression on standardised features; the inverse regularisation
``C`` is picked from a grid by the validation AUROC only, then the probe is scored on test.
Multi-label tasks fit one probe per label.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from retclip.eval.dataset import TaskKind
from retclip.eval.metrics import score_one
from retclip.eval.splits import Split

C_GRID = (0.001, 0.01, 0.1, 1.0, 10.0)


def linear_probe(
    features: np.ndarray, labels: np.ndarray, split: Split, kind: TaskKind, classes: int
) -> tuple[np.ndarray, dict[str, float]]:
    """Test-set probabilities ``[n_test, classes]`` and the chosen ``C`` with its val AUROC."""
    best = None
    for c in C_GRID:
        val_probs = _fit_predict(features, labels, split.train, split.val, kind, classes, c)
        value = score_one(kind, labels[split.val], val_probs, "auroc")
        value = -np.inf if np.isnan(value) else value
        if best is None or value > best[1]:
            best = (c, value)
    c, value = best
    test_probs = _fit_predict(features, labels, split.train, split.test, kind, classes, c)
    return test_probs, {"C": c, "val_auroc": float(value)}


def _fit_predict(
    x: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    predict: np.ndarray,
    kind: TaskKind,
    classes: int,
    c: float,
) -> np.ndarray:
    if kind == "multilabel":
        columns = [_one(x[train], y[train, k], x[predict], 2, c)[:, 1] for k in range(y.shape[1])]
        return np.stack(columns, axis=1)
    return _one(x[train], y[train], x[predict], classes, c)


def _one(x: np.ndarray, y: np.ndarray, x_out: np.ndarray, classes: int, c: float) -> np.ndarray:
    """Probabilities over all ``classes``, also those absent from the training rows."""
    probs = np.zeros((len(x_out), classes))
    present = np.unique(y)
    if len(present) == 1:  # nothing to learn: the only class seen
        probs[:, present[0]] = 1.0
        return probs
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=1000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(x, y)
    probs[:, present] = probe.predict_proba(x_out)
    return probs
