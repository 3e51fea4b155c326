import numpy as np
import pytest

from retclip.config import TaskParams
from retclip.eval.adapters import load_task
from retclip.eval.adapters.synthetic import DISEASES
from retclip.eval.dataset import DatasetError


def _task(clinic, **fields):
    return TaskParams(name="t", adapter="synthetic", path=str(clinic), **fields)


def test_eye_labels_match_the_truth_and_every_row_is_accounted_for(small_clinic):
    truth_rows = len((small_clinic / "truth" / "eyes.csv").read_text().splitlines()) - 1
    dataset = load_task(_task(small_clinic, type="ordinal", label="dr_grade"), small_clinic)
    assert len(dataset) + len(dataset.quarantine) == truth_rows
    assert dataset.quarantine  # the dirty clinic lacks some images
    assert all(q["file"].endswith("eyes.csv") and q["reason"] for q in dataset.quarantine)
    assert set(dataset.samples.side) <= {"left", "right"}
    assert dataset.labels.max() <= 4 and dataset.reports is not None


def test_multilabel_and_patient_level(small_clinic):
    multi = load_task(_task(small_clinic, type="multilabel", label="diseases"), small_clinic)
    assert multi.labels.shape == (len(multi), len(DISEASES)) and multi.classes == list(DISEASES)
    patients = load_task(
        _task(small_clinic, type="binary", level="patient", label="any_disease"), small_clinic
    )
    assert len(patients) + len(patients.quarantine) == 24
    assert patients.samples.sample_id.is_unique
    assert any("duplicate" in q["reason"] for q in patients.quarantine)
    assert np.isin(patients.labels, (0, 1)).all()


def test_unknown_label_is_an_error(small_clinic):
    with pytest.raises(DatasetError, match="unknown synthetic eye label"):
        load_task(_task(small_clinic, type="binary", label="nope"), small_clinic)
