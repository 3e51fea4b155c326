from pathlib import Path

import pytest

from retclip.eval.adapters import load_task
from retclip.eval.dataset import DatasetError
from tests.eval.adapters.helpers import by_id, image, reasons, task


def test_class_folders_in_natural_order_with_strays_quarantined(tmp_path):
    root = tmp_path / "data"
    image(root / "10.x" / "a.jpg")
    image(root / "2.y" / "b.TIF")
    image(root / "1.z" / "c.png")
    (root / "1.z" / "notes.txt").write_text("not an image")
    (root / "1.z" / ".DS_Store").write_text("")
    (root / "README.txt").write_text("beside the class folders: not a row")
    image(root / "2.y" / "nested" / "d.jpg")
    (root / "2.y" / "link.jpg").symlink_to(image(tmp_path / "elsewhere.jpg"))
    dataset = load_task(task("class_folders", "ordinal"), root)
    assert dataset.classes == ["1.z", "2.y", "10.x"] and dataset.kind == "ordinal"
    assert by_id(dataset) == {"1.z/c.png": 0, "10.x/a.jpg": 2, "2.y/b.TIF": 1}
    assert set(dataset.samples["split"]) == {""}
    assert all(Path(p).is_file() and Path(p).is_relative_to(root) for p in dataset.samples["image"])
    assert reasons(dataset) == {
        "1.z:notes.txt": "not an image (.txt)",
        "2.y:link.jpg": "links outside the dataset folder",
        "2.y:nested": "a folder inside a class folder",
    }


def test_retfound_splits_are_official(tmp_path):
    for split in ("train", "valid", "test"):
        image(tmp_path / split / "anodr" / f"{split}1.png")
        image(tmp_path / split / "bmilddr" / f"{split}2.png")
    dataset = load_task(task("retfound", "binary"), tmp_path)
    assert dataset.classes == ["anodr", "bmilddr"] and dataset.kind == "binary"
    assert dataset.samples["split"].tolist() == ["train", "train", "val", "val", "test", "test"]
    assert by_id(dataset)["valid/bmilddr/valid2.png"] == 1


def test_retfound_without_a_split_folder_is_an_error(tmp_path):
    image(tmp_path / "train" / "a" / "x.png")
    image(tmp_path / "test" / "a" / "y.png")
    with pytest.raises(DatasetError, match=r"no val/ folder"):
        load_task(task("retfound", "multiclass"), tmp_path)


def test_jsiec_numbered_folders_flat_or_split(tmp_path):
    names = ("0.0.Normal", "1.0.DR2", "10.0.Possible glaucoma", "2.0.BRVO")
    for index, name in enumerate(names):
        image(tmp_path / "flat" / name / f"{index}.jpg")
        for split in ("train", "val", "test"):
            image(tmp_path / "split" / split / name / f"{index}.jpg")
    flat = load_task(task("jsiec", "multiclass"), tmp_path / "flat")
    assert flat.classes == ["0.0.Normal", "1.0.DR2", "2.0.BRVO", "10.0.Possible glaucoma"]
    assert by_id(flat)["10.0.Possible glaucoma/2.jpg"] == 3
    split = load_task(task("jsiec", "multiclass"), tmp_path / "split")
    assert split.classes == flat.classes and len(split) == 12
    assert set(split.samples["split"]) == {"train", "val", "test"}
    with pytest.raises(DatasetError, match=r"gives multiclass labels over 4 classes"):
        load_task(task("jsiec", "ordinal"), tmp_path / "flat")


def test_retina_matches_numbered_folders_to_its_classes(tmp_path):
    for name in ("1_normal", "2_cataract", "2_glaucoma", "3_retina_disease", "misc"):
        image(tmp_path / name / "a.png")
    dataset = load_task(task("retina", "multiclass"), tmp_path)
    assert dataset.classes == ["normal", "cataract", "glaucoma", "retina disease"]
    assert by_id(dataset) == {
        "1_normal/a.png": 0,
        "2_cataract/a.png": 1,
        "2_glaucoma/a.png": 2,
        "3_retina_disease/a.png": 3,
    }
    assert list(reasons(dataset)) == ["misc:a.png"]
    assert "matches none of the classes" in reasons(dataset)["misc:a.png"]


def test_glaucoma_fundus_is_ordered_and_needs_every_class(tmp_path):
    for name in ("Advanced", "Early", "Normal"):
        image(tmp_path / name / "a.jpg")
    dataset = load_task(task("glaucoma_fundus", "ordinal"), tmp_path)
    assert dataset.classes == ["normal", "early glaucoma", "advanced glaucoma"]
    assert by_id(dataset) == {"Advanced/a.jpg": 2, "Early/a.jpg": 1, "Normal/a.jpg": 0}
    (tmp_path / "Early" / "a.jpg").unlink()
    with pytest.raises(DatasetError, match=r"no images of \['early glaucoma'\]"):
        load_task(task("glaucoma_fundus", "ordinal"), tmp_path)
