from pathlib import Path

import pytest

from retclip.eval.adapters import load_task
from retclip.eval.adapters._common import DR_GRADES
from retclip.eval.dataset import DatasetError
from tests.eval.adapters.helpers import by_id, image, reasons, table, task

IDRID_TRAIN = "a. IDRiD_Disease Grading_Training Labels.csv"
IDRID_TEST = "b. IDRiD_Disease Grading_Testing Labels.csv"


@pytest.fixture
def idrid(tmp_path) -> Path:
    """IDRiD as published, plus a trailing header space, padding columns and planted faults."""
    base = tmp_path / "B. Disease Grading"
    images = base / "1. Original Images"
    for name in ("IDRiD_001.jpg", "IDRiD_002.jpg", "IDRiD_003.JPG"):
        image(images / "a. Training Set" / name)
    for name in ("IDRiD_001.jpg", "IDRiD_002.jpg"):
        image(images / "b. Testing Set" / name)
    table(
        base / "2. Groundtruths" / IDRID_TRAIN,
        """
        Image name,Retinopathy grade,Risk of macular edema ,,
        IDRiD_001,3,2,,
        IDRiD_002,0,0,,
        IDRiD_003,4,1,,
        IDRiD_004,2,0,,
        IDRiD_002,1,1,,
        IDRiD_005,7,0,,
        ,,,,
        """,
    )
    table(
        base / "2. Groundtruths" / IDRID_TEST,
        """
        Image name,Retinopathy grade,Risk of macular edema
        IDRiD_001,1,0
        IDRiD_002,2,1
        ../../../../outside,1,0
        """,
    )
    return tmp_path


def test_idrid_dr_grades_keep_the_official_splits(idrid):
    dataset = load_task(task("idrid", "ordinal"), idrid)
    assert dataset.kind == "ordinal" and dataset.level == "eye"
    assert dataset.classes == DR_GRADES
    assert by_id(dataset) == {
        "train/IDRiD_001": 3,
        "train/IDRiD_002": 0,
        "train/IDRiD_003": 4,
        "test/IDRiD_001": 1,
        "test/IDRiD_002": 2,
    }
    assert dataset.samples["split"].tolist() == ["train"] * 3 + ["test"] * 2
    assert (dataset.samples["patient_id"] == dataset.samples["sample_id"]).all()
    assert set(dataset.samples["side"]) == {""}
    paths = [Path(p) for p in dataset.samples["image"]]
    assert all(p.is_absolute() and p.is_file() for p in paths)
    assert paths[2].name == "IDRiD_003.JPG"
    train_images = idrid / "B. Disease Grading" / "1. Original Images" / "a. Training Set"
    assert reasons(dataset) == {
        f"{IDRID_TRAIN}:5": f"image 'IDRiD_004': no file in {train_images}",
        f"{IDRID_TRAIN}:6": f"duplicate train/IDRiD_002 (first at {IDRID_TRAIN} row 3)",
        f"{IDRID_TRAIN}:7": "unknown grade '7'",
        f"{IDRID_TEST}:4": "image '../../../../outside' is outside the dataset folder",
    }
    assert len(dataset) + len(dataset.quarantine) == 9  # the blank padding row is no row


def test_idrid_macular_edema_variant_and_parent_folder(idrid):
    dataset = load_task(task("idrid", "multiclass", label="dme_risk"), idrid / "B. Disease Grading")
    assert dataset.kind == "multiclass" and len(dataset.classes) == 3
    assert by_id(dataset)["train/IDRiD_001"] == 2 and by_id(dataset)["test/IDRiD_002"] == 1


def test_idrid_missing_column_and_table_are_errors(idrid):
    labels = idrid / "B. Disease Grading" / "2. Groundtruths"
    table(labels / IDRID_TEST, "Image name,Grade\nIDRiD_001,1")
    with pytest.raises(DatasetError, match=r"Testing Labels.csv: missing columns 'Retinopathy"):
        load_task(task("idrid", "ordinal"), idrid)
    (labels / IDRID_TEST).unlink()
    with pytest.raises(DatasetError, match=r"Testing Labels.csv: not found"):
        load_task(task("idrid", "ordinal"), idrid)


def test_aptos_ids_find_images_of_any_extension(tmp_path):
    for name in ("a1.png", "b2.PNG", "c3.jpg", "e5.png"):
        image(tmp_path / "train_images" / name)
    table(
        tmp_path / "train.csv",
        """
        id_code,diagnosis
        a1,0
        b2,4
        c3,2
        d4,1
        a1,3
        e5,
        """,
    )
    dataset = load_task(task("aptos2019", "multiclass"), tmp_path)
    assert dataset.classes == DR_GRADES and dataset.kind == "multiclass"
    assert by_id(dataset) == {"a1": 0, "b2": 4, "c3": 2}
    assert set(dataset.samples["split"]) == {""}
    assert Path(dataset.samples["image"][2]).name == "c3.jpg"
    assert reasons(dataset) == {
        "train.csv:5": f"image 'd4': no file in {tmp_path / 'train_images'}",
        "train.csv:6": "duplicate a1 (first at train.csv row 2)",
        "train.csv:7": "unknown grade ''",
    }


def test_aptos_without_its_table_is_an_error(tmp_path):
    (tmp_path / "train_images").mkdir()
    with pytest.raises(DatasetError, match=r"looked for train.csv"):
        load_task(task("aptos2019", "ordinal"), tmp_path)


def test_messidor2_quarantines_ungradable_rows(tmp_path):
    image(tmp_path / "IMAGES" / "20051020_43808_0100_PP.png")
    image(tmp_path / "IMAGES" / "IM002385.JPG")
    image(tmp_path / "IMAGES" / "IM000001.jpg")
    table(
        tmp_path / "messidor_data.csv",
        """
        image_id,adjudicated_dr_grade,adjudicated_dme,adjudicated_gradable
        20051020_43808_0100_PP.png,0,0,1
        IM002385.jpg,2.0,1,1
        IM000001.jpg,,,0
        IM000002.jpg,3,1,1
        """,
    )
    dataset = load_task(task("messidor2", "ordinal"), tmp_path)
    assert by_id(dataset) == {"20051020_43808_0100_PP.png": 0, "IM002385.jpg": 2}
    assert Path(dataset.samples["image"][1]).name == "IM002385.JPG"
    found = reasons(dataset)
    assert found["messidor_data.csv:4"] == "ungradable (adjudicated_gradable '0')"
    assert "IM000002.jpg" in found["messidor_data.csv:5"] and len(found) == 2

    dme = load_task(task("messidor2", "binary", label="dme"), tmp_path)
    assert dme.classes == ["no referable DME", "referable DME"] and dme.labels.tolist() == [0, 1]


def test_messidor2_kaggle_columns_are_accepted(tmp_path):
    image(tmp_path / "images" / "x.png")
    table(
        tmp_path / "messidor_data.csv",
        "id_code,diagnosis,adjudicated_dme,adjudicated_gradable\nx.png,1,0,1",
    )
    assert by_id(load_task(task("messidor2", "ordinal"), tmp_path)) == {"x.png": 1}
