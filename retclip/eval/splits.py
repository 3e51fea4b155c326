"""Train, validation and test rows, never mixing one patient's eyes across them.

An official split is used as published. Without one, the test set is drawn once (independent of
the seed, so every seed and every model is scored on the same patients) and the rest is split
into train and validation per seed, so that the spread over seeds includes the split. A source
with train and test but no validation gets its validation carved from train, per seed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

TEST_SEED = 20240  # fixed: the held-out patients do not move with the seed


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


class SplitError(ValueError):
    """A split that leaves a part empty: too few patients for the protocol."""


def make_split(
    splits: np.ndarray,
    patients: np.ndarray,
    labels: np.ndarray,
    seed: int,
    test_share: float = 0.2,
    val_share: float = 0.2,
) -> Split:
    """Row indices of each part; ``splits`` holds each row's official split or ``""``."""
    rows = np.arange(len(splits))
    test = rows[splits == "test"]
    val = rows[splits == "val"]
    rest = rows[(splits != "test") & (splits != "val")]
    if len(test) == 0:
        test, rest = _carve(rest, patients, labels, test_share, TEST_SEED)
    if len(val) == 0:
        val, rest = _carve(rest, patients, labels, val_share / (1 - test_share), seed)
    for name, part in (("train", rest), ("validation", val), ("test", test)):
        if len(part) == 0:
            raise SplitError(f"the {name} part is empty ({len(rows)} rows)")
    return Split(train=rest, val=val, test=test)


def _carve(
    rows: np.ndarray, patients: np.ndarray, labels: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Take about ``share`` of ``rows`` by patient, stratified by label, reproducibly."""
    folds = max(2, round(1 / share))
    groups = patients[rows]
    if len(np.unique(groups)) < folds:
        raise SplitError(f"{len(np.unique(groups))} patients cannot be split {folds} ways")
    strata = labels[rows] if labels.ndim == 1 else labels[rows].sum(1)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # a rare class gets fewer members than folds: expected
        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
        keep, taken = next(splitter.split(rows, strata, groups))
    return np.sort(rows[taken]), np.sort(rows[keep])
