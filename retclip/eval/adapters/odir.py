"""ODIR-5K: 3,500 patients, both fundus photographs, eight patient-level 0/1 diagnoses.

The annotation table (``data.xlsx``; Kaggle's ``full_df.csv``) has ``ID``, ``Patient Age``,
``Patient Sex``, ``Left-Fundus``, ``Right-Fundus`` (file names such as ``0_left.jpg``), the
per-eye diagnostic keywords and the patient's labels ``N, D, G, C, A, H, M, O``. The labels
belong to the patient, not to an eye, so this is a patient-level multi-label task; the classes
are the codes' names in that order.

Tables tried: ``data.csv`` (a CSV export of ``data.xlsx``), ``full_df.csv``, ``data.xlsx``
(needs openpyxl). ``full_df.csv`` repeats a patient on one row per image: identical repeats
are folded into one patient record (the quarantine invariant counts those records); a repeat
that disagrees is quarantined. Images are looked up in ``Training Images/`` (or the Kaggle
copies' folders, ``preprocessed_images/`` last), else the root. No official split.
"""

from __future__ import annotations

from pathlib import Path

from retclip.config import TaskParams
from retclip.eval.adapters._common import (
    LINE,
    ImageLookup,
    Rows,
    find_table,
    parse_code,
    pick_label,
    read_table,
)
from retclip.eval.dataset import TaskDataset

DIAGNOSES = {
    "N": "normal",
    "D": "diabetes",
    "G": "glaucoma",
    "C": "cataract",
    "A": "age-related macular degeneration",
    "H": "hypertension",
    "M": "pathological myopia",
    "O": "other diseases or abnormalities",
}
TABLES = ("data.csv", "full_df.csv", "data.xlsx")
IMAGE_DIRS = (
    "Training Images",
    "ODIR-5K/Training Images",
    "ODIR-5K/ODIR-5K/Training Images",
    "ODIR-5K_Training_Dataset",
    "preprocessed_images",
)
SIDES = {"left": "Left-Fundus", "right": "Right-Fundus"}


def load_odir5k(root: Path, task: TaskParams) -> TaskDataset:
    """One patient sample per record; label ``diagnoses`` (the only one)."""
    pick_label(task, {"diagnoses": None}, "diagnoses")
    path = find_table(root, *TABLES)
    required = {
        "ID": ("ID",),
        **{s: (h,) for s, h in SIDES.items()},
        **{c: (c,) for c in DIAGNOSES},
    }
    table = read_table(path, required)
    if path.name == "full_df.csv":
        table = table.drop_duplicates(subset=list(required))
    folder = next((root / d for d in IMAGE_DIRS if (root / d).is_dir()), root)
    images = ImageLookup(root, folder)
    rows = Rows(task)
    for record in table.to_dict("records"):
        line, patient = record[LINE], record["ID"]
        if not patient:
            rows.reject(path, line, "no patient ID")
            continue
        if rows.duplicate(patient, path, line):
            continue
        labels = [parse_code(record[code], 2) for code in DIAGNOSES]
        if None in labels:
            values = {code: record[code] for code in DIAGNOSES}
            rows.reject(path, line, f"labels not all 0/1: {values}")
            continue
        found = {side: images.find(record[side]) if record[side] else (None, "") for side in SIDES}
        problems = [f"{SIDES[s]}: {reason}" for s, (_, reason) in found.items() if reason]
        if problems or not any(image for image, _ in found.values()):
            rows.reject(path, line, "; ".join(problems) or "no fundus image")
            continue
        left, right = (str(found[side][0] or "") for side in SIDES)
        rows.add((patient, patient, "", left, right), labels)
    return rows.dataset(list(DIAGNOSES.values()), "multilabel", level="patient")
