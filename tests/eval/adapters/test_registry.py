import numpy as np
import pandas as pd
import pytest

from retclip.eval.adapters import ADAPTERS, load_task
from retclip.eval.adapters._common import ImageLookup, parse_code, read_table
from retclip.eval.adapters.synthetic import load_synthetic
from retclip.eval.dataset import DatasetError, TaskDataset
from tests.eval.adapters.helpers import image, table, task


def test_registry_names_every_adapter():
    assert ADAPTERS["synthetic"] is load_synthetic
    assert set(ADAPTERS) == {
        "synthetic",
        "idrid",
        "aptos2019",
        "messidor2",
        "papila",
        "glaucoma_fundus",
        "jsiec",
        "retina",
        "rfmid",
        "odir5k",
        "retfound",
        "class_folders",
    }


def test_unknown_adapter_lists_the_known_ones(tmp_path):
    with pytest.raises(DatasetError, match=r"unknown adapter 'idird'; known: aptos2019, class_f"):
        load_task(task("idird", "ordinal"), tmp_path)


def test_path_is_resolved_against_base(tmp_path):
    image(tmp_path / "sets" / "aptos" / "train_images" / "a.png")
    table(tmp_path / "sets" / "aptos" / "train.csv", "id_code,diagnosis\na,1")
    params = task("aptos2019", "ordinal").model_copy(update={"path": "sets/aptos"})
    dataset = load_task(params, tmp_path)
    assert dataset.samples["image"][0] == str(tmp_path / "sets/aptos/train_images/a.png")
    with pytest.raises(DatasetError, match=r"data folder .*missing not found"):
        load_task(params.model_copy(update={"path": "missing"}), tmp_path)


def test_unknown_label_variant_lists_the_known_ones(tmp_path):
    with pytest.raises(
        DatasetError, match=r"no label 'dme'; use one of \['dme_risk', 'dr_grade'\]"
    ):
        load_task(task("idrid", "ordinal", label="dme"), tmp_path)


def test_type_mismatch_names_what_the_adapter_gives(tmp_path):
    image(tmp_path / "train_images" / "a.png")
    table(tmp_path / "train.csv", "id_code,diagnosis\na,1")
    with pytest.raises(DatasetError, match=r"gives ordinal labels over 5 classes.*type 'binary'"):
        load_task(task("aptos2019", "binary"), tmp_path)
    with pytest.raises(DatasetError, match=r"type 'multilabel'"):
        load_task(task("aptos2019", "multilabel"), tmp_path)


def test_labels_that_do_not_fit_the_declared_type_are_refused(tmp_path, monkeypatch):
    def three_classes(root, params):  # an adapter that trusts the task's type blindly
        samples = pd.DataFrame({c: ["s"] for c in ("sample_id", "patient_id", "image", "side")})
        return TaskDataset(
            name="t",
            kind=params.type,
            level="eye",
            classes=["a", "b", "c"],
            samples=samples.assign(split=""),
            labels=np.array([2]),
        )

    monkeypatch.setitem(ADAPTERS, "fake", three_classes)
    with pytest.raises(DatasetError, match=r"do not fit a binary task over 3 classes"):
        load_task(task("fake", "binary"), tmp_path)


def test_no_usable_rows_is_an_error_that_shows_why(tmp_path):
    (tmp_path / "train_images").mkdir()
    table(tmp_path / "train.csv", "id_code,diagnosis\na,9")
    with pytest.raises(DatasetError, match=r"no usable samples; 1 rows quarantined.*unknown grade"):
        load_task(task("aptos2019", "ordinal"), tmp_path)


def test_read_table_forgives_bom_spaces_case_and_gbk(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff Image Name ,grade\n 眼1 , 2 \n".encode())
    frame = read_table(path, {"image": ("image name",), "grade": ("Grade",)})
    assert frame[["image", "grade", "_line"]].values.tolist() == [["眼1", "2", 2]]
    path.write_bytes("image,grade\n左眼,1\n".encode("gbk"))
    assert read_table(path, {"image": ("image",)})["image"][0] == "左眼"
    with pytest.raises(DatasetError, match=r"t.csv: missing columns 'x' or 'y'; it has"):
        read_table(path, {"x": ("x", "y")})


def test_image_lookup_refuses_ambiguous_stems(tmp_path):
    image(tmp_path / "imgs" / "a.png")
    image(tmp_path / "imgs" / "a.jpg")
    lookup = ImageLookup(tmp_path, tmp_path / "imgs")
    assert lookup.find("a.png")[0] == tmp_path / "imgs" / "a.png"
    found, reason = lookup.find("a")
    assert found is None and "several candidates a.jpg, a.png" in reason
    with pytest.raises(DatasetError, match=r"image folder not found"):
        ImageLookup(tmp_path, tmp_path / "none")


@pytest.mark.parametrize(
    ("value", "code"), [("2", 2), ("2.0", 2), ("", None), ("5", None), ("-1", None), ("nan", None)]
)
def test_parse_code(value, code):
    assert parse_code(value, 5) == code
