import importlib.util
from pathlib import Path

import pytest

from retclip.eval.adapters import load_task
from retclip.eval.dataset import DatasetError
from tests.eval.adapters.helpers import by_id, image, reasons, table, task


@pytest.fixture
def papila(tmp_path) -> Path:
    """Right-eye sheet exported as the workbook looks (title, header, units row), left-eye clean."""
    for name in ("RET002OD.jpg", "RET004OD.jpg", "RET006OD.png", "RET002OS.jpg", "RET004OS.jpg"):
        image(tmp_path / "FundusImages" / name)
    table(
        tmp_path / "ClinicalData" / "patient_data_od.csv",
        """
        Right eye (OD),,,,
        ID,Age,Gender,Diagnosis,VF_MD
        ,years,0 male 1 female,0 healthy 1 glaucoma 2 suspect,dB
        #002,39,0,0,
        #004,55,1,1,-3.2
        #006,60,0,2,
        #008,42,1,5,
        #004,70,1,0,
        abc,50,0,0,
        #010,48,1,1,
        """,
    )
    table(
        tmp_path / "ClinicalData" / "patient_data_os.csv",
        """
        ID,Age,Gender,Diagnosis
        #002,39,0,1.0
        #004,55,1,0
        """,
    )
    return tmp_path


def test_papila_reads_both_sheets_as_eyes_of_one_patient(papila):
    dataset = load_task(task("papila", "multiclass"), papila)
    assert dataset.classes == ["healthy", "glaucoma", "suspect"]
    assert by_id(dataset) == {
        "RET002OD": 0,
        "RET004OD": 1,
        "RET006OD": 2,
        "RET002OS": 1,
        "RET004OS": 0,
    }
    samples = dataset.samples.set_index("sample_id")
    assert samples.loc["RET002OD", "side"] == "right" and samples.loc["RET002OS", "side"] == "left"
    assert samples.loc["RET002OS", "patient_id"] == samples.loc["RET002OD", "patient_id"] == "002"
    assert Path(samples.loc["RET006OD", "image"]).name == "RET006OD.png"
    assert set(dataset.samples["split"]) == {""}
    sheet = "patient_data_od.csv"
    found = reasons(dataset)
    assert found[f"{sheet}:7"] == "unknown Diagnosis '5'"
    assert found[f"{sheet}:8"] == f"duplicate RET004OD (first at {sheet} row 5)"
    assert found[f"{sheet}:9"] == "patient id 'abc' is not like #002"
    assert "RET010OD.jpg" in found[f"{sheet}:10"]
    assert len(dataset) + len(dataset.quarantine) == 9


def test_papila_binary_type_does_not_fit_three_diagnoses(papila):
    with pytest.raises(DatasetError, match=r"multiclass labels over 3 classes"):
        load_task(task("papila", "binary"), papila)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is not None, reason="openpyxl present")
def test_papila_workbook_without_openpyxl_asks_for_csv(papila):
    sheet = papila / "ClinicalData" / "patient_data_od.csv"
    sheet.rename(sheet.with_suffix(".xlsx"))
    with pytest.raises(DatasetError, match=r"needs openpyxl.*patient_data_od.csv"):
        load_task(task("papila", "multiclass"), papila)
