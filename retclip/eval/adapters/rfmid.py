"""RFMiD (Pachade et al., Data 2021): 3,200 images, one 0/1 column per disease, official splits.

Each split has a table with ``ID``, ``Disease_Risk`` and then one column per disease (``DR``,
``ARMD``, ``MH``, ...), and images ``<ID>.png``. Both published layouts are read: Kaggle's
``Training_Set/RFMiD_Training_Labels.csv`` + ``Training_Set/Training/`` (also doubled,
``Training_Set/Training_Set/...``; ``Evaluation_Set``/``Validation`` and ``Test_Set``/``Test``
likewise) and IEEE DataPort's ``2. Groundtruths/a. RFMiD_Training_Labels.csv`` +
``1. Original Images/a. Training Set/``. IDs restart in every split: sample ids are ``train/1``.

Labels: ``diseases`` (default): multi-label over every disease column of the training table,
in its column order; ``Disease_Risk``: binary normal/abnormal; or a comma-separated list of
disease columns (``DR,ARMD,MH``) for a multi-label subset.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from retclip.config import TaskParams
from retclip.eval.adapters._common import (
    LINE,
    ImageLookup,
    Rows,
    choose_kind,
    parse_code,
    read_table,
)
from retclip.eval.dataset import DatasetError, TaskDataset

RISK = "Disease_Risk"
LAYOUTS = {  # split -> (label table, image folder) candidates
    "train": [
        ("Training_Set/RFMiD_Training_Labels.csv", "Training_Set/Training"),
        (
            "Training_Set/Training_Set/RFMiD_Training_Labels.csv",
            "Training_Set/Training_Set/Training",
        ),
        ("2. Groundtruths/a. RFMiD_Training_Labels.csv", "1. Original Images/a. Training Set"),
    ],
    "val": [
        ("Evaluation_Set/RFMiD_Validation_Labels.csv", "Evaluation_Set/Validation"),
        (
            "Evaluation_Set/Evaluation_Set/RFMiD_Validation_Labels.csv",
            "Evaluation_Set/Evaluation_Set/Validation",
        ),
        ("2. Groundtruths/b. RFMiD_Validation_Labels.csv", "1. Original Images/b. Validation Set"),
    ],
    "test": [
        ("Test_Set/RFMiD_Testing_Labels.csv", "Test_Set/Test"),
        ("Test_Set/Test_Set/RFMiD_Testing_Labels.csv", "Test_Set/Test_Set/Test"),
        ("2. Groundtruths/c. RFMiD_Testing_Labels.csv", "1. Original Images/c. Testing Set"),
    ],
}


def load_rfmid(root: Path, task: TaskParams) -> TaskDataset:
    """Eye samples of all three official splits; see the module notes for the labels."""
    splits = {split: _locate(root, split) for split in LAYOUTS}
    train_table = read_table(splits["train"][0], {"ID": ("ID",), RISK: (RISK,)})
    diseases = [c for c in train_table.columns if c not in {"ID", RISK, LINE}]
    columns = _label_columns(task, diseases, splits["train"][0])
    rows = Rows(task)
    for split, (path, folder) in splits.items():
        table = read_table(path, {"ID": ("ID",), RISK: (RISK,), **{c: (c,) for c in columns}})
        _add_split(rows, path, table, ImageLookup(root, folder), split, columns)
    if columns == [RISK]:
        return rows.dataset(["normal", "abnormal"], choose_kind(task, 2, ordered=False))
    return rows.dataset(columns, "multilabel")


def _locate(root: Path, split: str) -> tuple[Path, Path]:
    for table, images in LAYOUTS[split]:
        if (root / table).is_file():
            return root / table, root / images
    looked = ", ".join(table for table, _ in LAYOUTS[split])
    raise DatasetError(f"{root}: no RFMiD {split} labels; looked for {looked}")


def _label_columns(task: TaskParams, diseases: list[str], path: Path) -> list[str]:
    label = task.label or "diseases"
    if label == "diseases":
        return diseases
    columns = [c.strip() for c in label.split(",")]
    unknown = [c for c in columns if c not in {*diseases, RISK}]
    if unknown or (RISK in columns and len(columns) > 1):
        raise DatasetError(
            f"task {task.name}: label {label!r}: use 'diseases', {RISK!r} or a comma-separated "
            f"list of the disease columns of {path} ({', '.join(diseases)})"
        )
    return columns


def _add_split(
    rows: Rows, path: Path, table: pd.DataFrame, images: ImageLookup, split: str, columns: list[str]
) -> None:
    """One sample per row: the 0/1 vector over ``columns``, or the class index of Disease_Risk."""
    for record in table.to_dict("records"):
        line, image_id = record[LINE], record["ID"]
        sample_id = f"{split}/{image_id}"
        if not image_id:
            rows.reject(path, line, "no ID")
            continue
        if rows.duplicate(sample_id, path, line):
            continue
        values = [parse_code(record[c], 2) for c in columns]
        bad = [f"{c}={record[c]!r}" for c, v in zip(columns, values, strict=True) if v is None]
        if bad:
            rows.reject(path, line, f"labels not 0/1: {', '.join(bad)}")
            continue
        image, reason = images.find(image_id)
        if image is None:
            rows.reject(path, line, reason)
            continue
        label = values[0] if columns == [RISK] else values
        rows.add((sample_id, sample_id, split, str(image), ""), label)
