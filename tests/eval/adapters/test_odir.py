from pathlib import Path

import pytest

from retclip.eval.adapters import load_task
from retclip.eval.dataset import DatasetError
from tests.eval.adapters.helpers import by_id, image, reasons, table, task

COLUMNS = (
    "ID,Patient Age,Patient Sex,Left-Fundus,Right-Fundus,"
    "Left-Diagnostic Keywords,Right-Diagnostic Keywords,N,D,G,C,A,H,M,O"
)


@pytest.fixture
def odir(tmp_path) -> Path:
    """``data.xlsx`` saved as ``data.csv``, images in ``Training Images/``, planted faults."""
    for name in ("0_left.jpg", "0_right.jpg", "1_left.jpg", "1_right.jpg", "2_right.jpg"):
        image(tmp_path / "Training Images" / name)
    image(tmp_path / "Training Images" / "3_left.jpg")
    table(
        tmp_path / "data.csv",
        f"""
        {COLUMNS}
        0,69,Female,0_left.jpg,0_right.jpg,cataract,normal fundus,0,0,0,1,0,0,0,0
        1,57,Male,1_left.jpg,1_right.jpg,normal fundus,normal fundus,1,0,0,0,0,0,0,0
        2,42,Male,,2_right.jpg,,"moderate NPDR，hypertensive retinopathy",0,1,0,0,0,1,0,0
        3,50,Female,3_left.jpg,3_right.jpg,glaucoma,glaucoma,0,0,1,0,0,0,0,0
        1,57,Male,1_left.jpg,1_right.jpg,normal fundus,normal fundus,1,0,0,0,0,0,0,0
        4,60,Male,4_left.jpg,4_right.jpg,drusen,drusen,0,0,0,0,0,0,0,
        5,61,Male,,,,,1,0,0,0,0,0,0,0
        """,
    )
    return tmp_path


def test_odir_is_a_patient_level_multilabel_task(odir):
    dataset = load_task(task("odir5k", "multilabel", level="patient"), odir)
    assert dataset.level == "patient" and dataset.kind == "multilabel"
    assert dataset.classes[:3] == ["normal", "diabetes", "glaucoma"] and len(dataset.classes) == 8
    assert by_id(dataset) == {
        "0": [0, 0, 0, 1, 0, 0, 0, 0],
        "1": [1, 0, 0, 0, 0, 0, 0, 0],
        "2": [0, 1, 0, 0, 0, 1, 0, 0],
    }
    samples = dataset.samples.set_index("sample_id")
    assert samples.loc["2", "left_image"] == ""
    assert Path(samples.loc["2", "right_image"]).name == "2_right.jpg"
    assert Path(samples.loc["0", "left_image"]).is_file()
    found = reasons(dataset)
    assert "Right-Fundus: image '3_right.jpg'" in found["data.csv:5"]
    assert found["data.csv:6"] == "duplicate 1 (first at data.csv row 3)"
    assert found["data.csv:7"].startswith("labels not all 0/1")
    assert found["data.csv:8"] == "no fundus image"
    assert len(dataset) + len(dataset.quarantine) == 7


def test_odir_eye_level_task_is_a_level_error(odir):
    with pytest.raises(DatasetError, match=r"gives patient-level samples.*set level: patient"):
        load_task(task("odir5k", "multilabel"), odir)


def test_odir_full_df_folds_its_per_image_rows(tmp_path):
    for name in ("0_left.jpg", "0_right.jpg", "1_left.jpg", "1_right.jpg"):
        image(tmp_path / "preprocessed_images" / name)
    patient0 = "0,69,Female,0_left.jpg,0_right.jpg,cataract,normal fundus,0,0,0,1,0,0,0,0"
    patient1 = "1,57,Male,1_left.jpg,1_right.jpg,normal fundus,normal fundus,1,0,0,0,0,0,0,0"
    conflict = "1,57,Male,1_left.jpg,1_right.jpg,normal fundus,normal fundus,0,0,0,0,0,0,0,1"
    table(
        tmp_path / "full_df.csv",
        f"""
        {COLUMNS},filepath,labels,target,filename
        {patient0},x,['C'],0,0_right.jpg
        {patient0},x,['C'],0,0_left.jpg
        {patient1},x,['N'],1,1_right.jpg
        {conflict},x,['O'],1,1_left.jpg
        """,
    )
    dataset = load_task(task("odir5k", "multilabel", level="patient"), tmp_path)
    assert list(by_id(dataset)) == ["0", "1"]
    assert reasons(dataset) == {"full_df.csv:5": "duplicate 1 (first at full_df.csv row 4)"}
