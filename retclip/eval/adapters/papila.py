"""PAPILA (Kovalyk et al., Sci. Data 2022): both eyes of 244 patients, graded for glaucoma.

``ClinicalData/patient_data_od.xlsx`` (right eyes) and ``patient_data_os.xlsx`` (left eyes)
hold one row per patient: a title row, a header row with ``ID``, ``Age``, ``Gender``,
``Diagnosis``, ... (sometimes a second header row), then patients with ids like ``#002``.
``Diagnosis`` is 0 healthy, 1 glaucoma, 2 suspect (the paper's coding), so the classes are
``healthy, glaucoma, suspect`` in code order. Images are ``FundusImages/RET002OD.jpg``.

A CSV export of each sheet (``patient_data_od.csv``) is read first, so openpyxl is optional;
the header is found by its ``Diagnosis`` cell and the patient id is the first column.
No official split: the protocols split by patient, keeping both eyes together.
"""

from __future__ import annotations

import re
from pathlib import Path

from retclip.config import TaskParams
from retclip.eval.adapters._common import (
    LINE,
    ImageLookup,
    Rows,
    choose_kind,
    find_table,
    parse_code,
    pick_label,
    read_table,
)
from retclip.eval.dataset import TaskDataset

DIAGNOSES = ["healthy", "glaucoma", "suspect"]
SHEETS = (("OD", "right", "patient_data_od"), ("OS", "left", "patient_data_os"))


def load_papila(root: Path, task: TaskParams) -> TaskDataset:
    """One eye sample per sheet row; label ``diagnosis`` (the only one)."""
    pick_label(task, {"diagnosis": None}, "diagnosis")
    images = ImageLookup(root, root / "FundusImages")
    rows = Rows(task)
    for eye, side, stem in SHEETS:
        path = find_table(root / "ClinicalData", f"{stem}.csv", f"{stem}.xlsx")
        table = read_table(path, {"diagnosis": ("Diagnosis",)}, header_with="Diagnosis")
        ids = table.iloc[:, 0]
        first = ids.ne("").idxmax()  # rows before the first patient are extra header rows
        for record, raw_id in zip(table[first:].to_dict("records"), ids[first:], strict=True):
            line = record[LINE]
            match = re.fullmatch(r"#?\s*(\d+)", raw_id)
            if match is None:
                rows.reject(path, line, f"patient id {raw_id!r} is not like #002")
                continue
            patient = f"{int(match[1]):03d}"
            sample_id = f"RET{patient}{eye}"
            if rows.duplicate(sample_id, path, line):
                continue
            code = parse_code(record["diagnosis"], len(DIAGNOSES))
            if code is None:
                rows.reject(path, line, f"unknown Diagnosis {record['diagnosis']!r}")
                continue
            image, reason = images.find(f"{sample_id}.jpg")
            if image is None:
                rows.reject(path, line, reason)
                continue
            rows.add((sample_id, patient, "", str(image), side), code)
    return rows.dataset(DIAGNOSES, choose_kind(task, len(DIAGNOSES), ordered=False))
