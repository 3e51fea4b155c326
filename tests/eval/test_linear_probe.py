import numpy as np

from retclip.eval.linear_probe import linear_probe
from retclip.eval.metrics import score_one
from retclip.eval.splits import make_split


def _split(labels):
    ids = np.array([f"P{i}" for i in range(len(labels))])
    return make_split(np.full(len(labels), ""), ids, labels, 0)


def test_informative_features_are_found_and_noise_is_not():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    noise = rng.normal(size=(300, 16))
    signal = noise.copy()
    signal[:, 0] += 3 * labels
    split = _split(labels)
    good, chosen = linear_probe(signal, labels, split, "multiclass", 3)
    bad, _ = linear_probe(noise, labels, split, "multiclass", 3)
    assert score_one("multiclass", labels[split.test], good, "auroc") > 0.95
    assert abs(score_one("multiclass", labels[split.test], bad, "auroc") - 0.5) < 0.15
    assert good.shape == (len(split.test), 3) and chosen["C"] > 0


def test_multilabel_probe_and_a_label_never_positive_in_train():
    rng = np.random.default_rng(1)
    labels = np.stack([rng.integers(0, 2, 200), np.zeros(200, dtype=int)], 1)
    features = rng.normal(size=(200, 8)) + labels[:, :1] * 3
    split = _split(labels)
    probs, _ = linear_probe(features, labels, split, "multilabel", 2)
    assert probs.shape == (len(split.test), 2)
    assert np.all(probs[:, 1] == 0)
    assert score_one("multilabel", labels[split.test], probs, "auroc") > 0.9
