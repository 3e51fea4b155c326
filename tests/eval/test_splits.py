import numpy as np
import pytest

from retclip.eval.splits import SplitError, make_split


def _data(patients: int = 50):
    ids = np.repeat([f"P{i}" for i in range(patients)], 2)  # two eyes each
    labels = np.repeat(np.arange(patients) % 3, 2)
    return ids, labels


def test_no_patient_in_two_parts_and_test_fixed_across_seeds():
    ids, labels = _data()
    splits = np.full(len(ids), "")
    a, b = make_split(splits, ids, labels, 0), make_split(splits, ids, labels, 1)
    for split in (a, b):
        parts = [set(ids[split.train]), set(ids[split.val]), set(ids[split.test])]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert sorted(np.concatenate([split.train, split.val, split.test])) == list(range(100))
    assert np.array_equal(a.test, b.test)
    assert not np.array_equal(a.val, b.val)
    assert 0.15 < len(a.test) / 100 < 0.25


def test_official_splits_are_kept_and_validation_carved_from_train():
    ids, labels = _data()
    splits = np.where(np.arange(100) < 70, "train", "test")
    split = make_split(splits, ids, labels, 0)
    assert set(split.test) == set(range(70, 100))
    assert set(split.train) | set(split.val) == set(range(70))


def test_too_few_patients_is_a_clear_error():
    ids, labels = _data(patients=3)
    with pytest.raises(SplitError, match="patients"):
        make_split(np.full(6, ""), ids, labels, 0)
