from pathlib import Path

import pytest

from retclip.eval.adapters import load_task
from retclip.eval.dataset import DatasetError
from tests.eval.adapters.helpers import by_id, image, reasons, table, task

HEADER = "ID,Disease_Risk,DR,ARMD,MH"


@pytest.fixture
def rfmid(tmp_path) -> Path:
    """Kaggle's layout; the training set in its doubled ``Training_Set/Training_Set`` form."""
    train = tmp_path / "Training_Set" / "Training_Set"
    for name in ("1.png", "2.png", "3.png", "4.png"):
        image(train / "Training" / name)
    table(
        train / "RFMiD_Training_Labels.csv",
        f"{HEADER}\n1,1,1,0,0\n2,0,0,0,0\n3,1,0,1,1\n2,1,1,1,1\n4,1,x,0,0\n5,1,1,0,0",
    )
    for name in ("1.png", "2.png"):
        image(tmp_path / "Evaluation_Set" / "Validation" / name)
    table(
        tmp_path / "Evaluation_Set" / "RFMiD_Validation_Labels.csv",
        f"{HEADER}\n1,1,1,1,0\n2,0,0,0,0",
    )
    image(tmp_path / "Test_Set" / "Test" / "1.png")
    table(tmp_path / "Test_Set" / "RFMiD_Testing_Labels.csv", f"{HEADER}\n1,1,0,0,1")
    return tmp_path


def test_rfmid_diseases_are_multilabel_over_all_disease_columns(rfmid):
    dataset = load_task(task("rfmid", "multilabel"), rfmid)
    assert dataset.classes == ["DR", "ARMD", "MH"] and dataset.kind == "multilabel"
    assert by_id(dataset) == {
        "train/1": [1, 0, 0],
        "train/2": [0, 0, 0],
        "train/3": [0, 1, 1],
        "val/1": [1, 1, 0],
        "val/2": [0, 0, 0],
        "test/1": [0, 0, 1],
    }
    assert dataset.samples["split"].tolist() == ["train"] * 3 + ["val"] * 2 + ["test"]
    assert all(Path(p).is_file() for p in dataset.samples["image"])
    labels = "RFMiD_Training_Labels.csv"
    found = reasons(dataset)
    assert found[f"{labels}:5"] == f"duplicate train/2 (first at {labels} row 3)"
    assert found[f"{labels}:6"] == "labels not 0/1: DR='x'"
    assert "image '5'" in found[f"{labels}:7"]
    assert len(dataset) + len(dataset.quarantine) == 9


def test_rfmid_label_variants(rfmid):
    risk = load_task(task("rfmid", "binary", label="Disease_Risk"), rfmid)
    assert risk.classes == ["normal", "abnormal"] and risk.labels.ndim == 1
    assert by_id(risk)["train/2"] == 0 and by_id(risk)["test/1"] == 1
    subset = load_task(task("rfmid", "multilabel", label="MH, DR"), rfmid)
    assert subset.classes == ["MH", "DR"] and by_id(subset)["train/3"] == [1, 0]
    with pytest.raises(DatasetError, match=r"label 'XYZ'.*DR, ARMD, MH"):
        load_task(task("rfmid", "multilabel", label="XYZ"), rfmid)


def test_rfmid_binary_task_on_all_diseases_is_a_type_error(rfmid):
    with pytest.raises(DatasetError, match=r"gives multilabel labels over 3 classes"):
        load_task(task("rfmid", "binary"), rfmid)


def test_rfmid_missing_split_or_column_is_an_error(rfmid):
    table(rfmid / "Test_Set" / "RFMiD_Testing_Labels.csv", "ID,Disease_Risk,DR,ARMD\n1,1,0,0")
    with pytest.raises(DatasetError, match=r"RFMiD_Testing_Labels.csv: missing columns 'MH'"):
        load_task(task("rfmid", "multilabel"), rfmid)
    (rfmid / "Test_Set" / "RFMiD_Testing_Labels.csv").unlink()
    with pytest.raises(DatasetError, match=r"no RFMiD test labels"):
        load_task(task("rfmid", "multilabel"), rfmid)
