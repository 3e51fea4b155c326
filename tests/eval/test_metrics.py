import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from retclip.eval.metrics import bootstrap_interval, per_class, score, score_one


def test_auroc_equals_sklearn_with_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 200)
    probs = rng.dirichlet(np.ones(3), 200).round(1)  # many ties
    expected = np.mean([roc_auc_score(labels == c, probs[:, c]) for c in range(3)])
    assert score("multiclass", labels, probs)["auroc"] == pytest.approx(expected)


def test_perfect_and_reversed_predictions():
    labels = np.array([0, 0, 1, 1])
    good = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    assert score("binary", labels, good) == pytest.approx(
        {"auroc": 1, "aupr": 1, "accuracy": 1, "balanced_accuracy": 1, "macro_f1": 1}
    )
    assert score("binary", labels, good[:, ::-1])["auroc"] == 0


def test_quadratic_kappa_equals_sklearn_when_every_grade_occurs():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 5, 300)
    predicted = np.clip(labels + rng.integers(-1, 2, 300), 0, 4)
    expected = cohen_kappa_score(labels, predicted, weights="quadratic")
    assert score_one("ordinal", labels, np.eye(5)[predicted], "quadratic_kappa") == pytest.approx(
        expected
    )


def test_ordinal_has_quadratic_kappa_that_punishes_far_errors():
    labels = np.array([0, 1, 2, 3, 4] * 4)
    near = np.eye(5)[np.clip(labels + 1, 0, 4)]
    far = np.eye(5)[4 - labels]
    assert score("ordinal", labels, near)["quadratic_kappa"] > 0.5
    assert score("ordinal", labels, far)["quadratic_kappa"] < 0


def test_multilabel_skips_a_label_without_positives():
    labels = np.array([[1, 0], [0, 0], [1, 0], [0, 0]])
    probs = np.array([[0.9, 0.2], [0.1, 0.3], [0.8, 0.1], [0.2, 0.4]])
    result = score("multilabel", labels, probs)
    assert result["auroc"] == 1.0  # the second label has no positives: left out, not 0.5
    rows = per_class("multilabel", labels, probs)
    assert rows[0]["support"] == 2 and np.isnan(rows[1]["auroc"])


def test_bootstrap_interval_brackets_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    runs = [np.stack([1 - p, p], 1) for p in (labels * 0.3 + rng.random((2, 300)) * 0.7)]
    mean = np.mean([score_one("binary", labels, r, "auroc") for r in runs])
    low, high = bootstrap_interval("binary", labels, runs, "auroc", 200)
    assert low < mean < high < 1
    assert bootstrap_interval("binary", labels, runs, "auroc", 200) == (low, high)
    assert bootstrap_interval("binary", labels, runs, "auroc", 0) is None
