"""Diabetic-retinopathy grading tables: IDRiD, APTOS-2019 and MESSIDOR-2 (the paper's DR group).

All three list one image per row with an ICDR grade 0..4; classes are :data:`DR_GRADES` in grade
order, so ``type: ordinal`` (quadratic-weighted kappa) or ``multiclass`` both fit. None of them
says which images share a patient, so each image is its own patient.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from retclip.config import TaskParams
from retclip.eval.adapters._common import (
    DR_GRADES,
    LINE,
    ImageLookup,
    Rows,
    choose_kind,
    find_table,
    parse_code,
    pick_label,
    read_table,
)
from retclip.eval.dataset import DatasetError, TaskDataset

# label -> (accepted header names of its column, class names in code order)
IDRID_LABELS = {
    "dr_grade": (("Retinopathy grade",), DR_GRADES),
    "dme_risk": (
        ("Risk of macular edema",),
        ["no macular edema risk", "exudates away from the macula", "exudates near the macula"],
    ),
}
IDRID_SPLITS = (  # split, ground-truth table, image folder (both official, no validation set)
    ("train", "a. IDRiD_Disease Grading_Training Labels.csv", "a. Training Set"),
    ("test", "b. IDRiD_Disease Grading_Testing Labels.csv", "b. Testing Set"),
)
APTOS_LABELS = {"dr_grade": (("diagnosis",), DR_GRADES)}
MESSIDOR_LABELS = {
    "dr_grade": (("adjudicated_dr_grade", "diagnosis"), DR_GRADES),
    "dme": (("adjudicated_dme",), ["no referable DME", "referable DME"]),
}
MESSIDOR_IMAGE_DIRS = ("IMAGES", "images", "preprocess")


def load_idrid(root: Path, task: TaskParams) -> TaskDataset:
    """IDRiD "B. Disease Grading": ``2. Groundtruths/{a,b}. IDRiD_Disease Grading_*.csv``.

    Columns ``Image name``, ``Retinopathy grade``, ``Risk of macular edema`` (0..2); images in
    ``1. Original Images/{a. Training Set,b. Testing Set}/<Image name>.jpg``. ``root`` is that
    folder or its parent. Labels: ``dr_grade`` (default) or ``dme_risk``. Splits train/test;
    both sets reuse the names IDRiD_001..., so sample ids are ``train/IDRiD_001``.
    """
    base = root / "B. Disease Grading" if (root / "B. Disease Grading").is_dir() else root
    _, (column, classes) = pick_label(task, IDRID_LABELS, "dr_grade")
    rows = Rows(task)
    for split, table_name, image_dir in IDRID_SPLITS:
        path = base / "2. Groundtruths" / table_name
        if not path.is_file():
            raise DatasetError(f"{path}: not found (IDRiD 'B. Disease Grading' layout)")
        table = read_table(path, {"image": ("Image name",), "grade": column})
        images = ImageLookup(root, base / "1. Original Images" / image_dir)
        _add_graded(rows, path, table, images, split, len(classes))
    return rows.dataset(classes, choose_kind(task, len(classes), ordered=True))


def load_aptos2019(root: Path, task: TaskParams) -> TaskDataset:
    """Kaggle APTOS 2019: ``train.csv`` (``id_code``, ``diagnosis`` 0..4) and
    ``train_images/<id_code>.png``. Only that set is labelled, so there is no official split.
    """
    _, (column, classes) = pick_label(task, APTOS_LABELS, "dr_grade")
    path = find_table(root, "train.csv")
    table = read_table(path, {"image": ("id_code",), "grade": column})
    rows = Rows(task)
    _add_graded(rows, path, table, ImageLookup(root, root / "train_images"), "", len(classes))
    return rows.dataset(classes, choose_kind(task, len(classes), ordered=True))


def load_messidor2(root: Path, task: TaskParams) -> TaskDataset:
    """MESSIDOR-2 with the adjudicated grades of Krause et al. 2018 (``messidor_data.csv``).

    Columns ``image_id`` (file name), ``adjudicated_dr_grade``, ``adjudicated_dme`` (0/1),
    ``adjudicated_gradable``; the Kaggle re-export's ``id_code``/``diagnosis`` are accepted
    too. Ungradable rows (``adjudicated_gradable`` 0) are quarantined. Images in ``IMAGES/``
    (else ``images/``, ``preprocess/``, else the root). Labels: ``dr_grade`` (default) or
    ``dme``. No official split.
    """
    _, (column, classes) = pick_label(task, MESSIDOR_LABELS, "dr_grade")
    path = find_table(root, "messidor_data.csv")
    required = {"image": ("image_id", "id_code"), "grade": column}
    table = read_table(path, {**required, "gradable": ("adjudicated_gradable",)})
    folder = next((root / d for d in MESSIDOR_IMAGE_DIRS if (root / d).is_dir()), root)
    rows = Rows(task)
    _add_graded(rows, path, table, ImageLookup(root, folder), "", len(classes))
    return rows.dataset(classes, choose_kind(task, len(classes), ordered=True))


def _add_graded(
    rows: Rows, path: Path, table: pd.DataFrame, images: ImageLookup, split: str, count: int
) -> None:
    """One eye sample per row of ``image``/``grade`` (and ``gradable``, where the table has it)."""
    for record in table.to_dict("records"):
        line, name = record[LINE], record["image"]
        sample_id = f"{split}/{name}" if split else name
        if not name:
            rows.reject(path, line, "no image name")
            continue
        if rows.duplicate(sample_id, path, line):
            continue
        gradable = parse_code(record.get("gradable", "1"), 2)
        if gradable != 1:
            flag = record["gradable"]
            reason = "ungradable" if gradable == 0 else "unknown gradable flag"
            reason = f"{reason} (adjudicated_gradable {flag!r})"
            rows.reject(path, line, reason)
            continue
        grade = parse_code(record["grade"], count)
        if grade is None:
            rows.reject(path, line, f"unknown grade {record['grade']!r}")
            continue
        image, reason = images.find(name)
        if image is None:
            rows.reject(path, line, reason)
            continue
        rows.add((sample_id, sample_id, split, str(image), ""), grade)
