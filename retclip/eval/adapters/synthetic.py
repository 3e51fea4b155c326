"""The synthetic clinic's labels (``truth/``), the demo's downstream tasks.

Eye-level labels come from ``truth/eyes.csv``, the patient-level ``any_disease`` from
``truth/patients.csv``; images and raw reports from the clinic's manifest. The clinic has no
official split (``split`` is empty): the protocols split it by patient. Evaluate on a clinic that
pre-training did not see (``retclip eval-clinic`` writes one with another seed).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from retclip.config import TaskParams
from retclip.eval.adapters._common import Rows
from retclip.eval.dataset import DatasetError, TaskDataset, resolve_inside

# label -> (class names in label order, how to read the class index from eyes.csv)
EYE_LABELS: dict[str, list[str]] = {
    "dr_grade": ["no DR", "mild NPDR", "moderate NPDR", "severe NPDR", "PDR"],
    "referable_dr": ["no referable DR", "referable DR"],
    "glaucoma": ["normal disc", "glaucoma suspect", "glaucoma"],
    "amd": ["no AMD", "early AMD", "late AMD"],
    "cataract": ["no cataract", "cataract"],
    "myopia": ["no pathological myopia", "pathological myopia"],
    "hypertensive": ["no hypertensive retinopathy", "hypertensive retinopathy"],
}
# the multi-label task: one 0/1 column per disease, each derived from the per-eye truth
DISEASES: dict[str, tuple[str, int]] = {  # name -> (truth column, smallest positive value)
    "diabetic retinopathy": ("dr_grade", 1),
    "glaucoma": ("glaucoma", 2),
    "age-related macular degeneration": ("amd", 1),
    "cataract": ("cataract", 1),
    "pathological myopia": ("myopia", 1),
    "hypertensive retinopathy": ("hypertensive", 1),
}
PATIENT_LABELS: dict[str, list[str]] = {"any_disease": ["no disease", "disease"]}


def load_synthetic(root: Path, task: TaskParams) -> TaskDataset:
    """Eye rows (``label`` one of :data:`EYE_LABELS` or ``diseases``) or patient rows."""
    manifest = _read(root / "patients.csv", ["patient_id", "left_image", "right_image", "report"])
    reports = manifest.drop_duplicates("patient_id").set_index("patient_id")["report"]
    if task.level == "patient":
        return _patients(root, task, manifest, reports)
    return _eyes(root, task, reports)


def _eyes(root: Path, task: TaskParams, reports: pd.Series) -> TaskDataset:
    label = task.label or "dr_grade"
    if label != "diseases" and label not in EYE_LABELS:
        known = [*EYE_LABELS, "diseases"]
        raise DatasetError(f"task {task.name}: unknown synthetic eye label {label!r}; use {known}")
    path = root / "truth" / "eyes.csv"
    eyes = _read(path, ["patient_id", "side", "image", *EYE_LABELS])
    rows = Rows(task)
    for line, eye in enumerate(eyes.itertuples(index=False), start=2):
        sample_id = f"{eye.patient_id}_{eye.side}"
        if rows.duplicate(f"eye {sample_id}", path, line):
            continue
        image = resolve_inside(root, str(eye.image))
        if image is None or not image.is_file():
            rows.reject(path, line, f"image {eye.image!r} is not a file")
            continue
        value = _eye_label(eye._asdict(), label)
        if value is None:
            rows.reject(path, line, f"no {label} label")
            continue
        rows.add((sample_id, eye.patient_id, "", str(image), eye.side), value)
    classes = list(DISEASES) if label == "diseases" else EYE_LABELS[label]
    return _with_reports(rows.dataset(classes, task.type), reports)


def _eye_label(eye: dict, label: str) -> int | list[int] | None:
    """The class index (or the 0/1 disease vector); None when the truth has no value."""
    if label == "diseases":
        values = [eye[column] for column, _ in DISEASES.values()]
        if any(pd.isna(v) for v in values):
            return None
        return [int(v >= low) for v, (_, low) in zip(values, DISEASES.values(), strict=True)]
    return None if pd.isna(eye[label]) else int(eye[label])


def _patients(
    root: Path, task: TaskParams, manifest: pd.DataFrame, reports: pd.Series
) -> TaskDataset:
    label = task.label or "any_disease"
    if label not in PATIENT_LABELS:
        raise DatasetError(f"task {task.name}: unknown synthetic patient label {label!r}")
    path = root / "truth" / "patients.csv"
    truth = _read(path, ["patient_id", label]).drop_duplicates("patient_id", keep=False)
    truth = truth.set_index("patient_id")[label].dropna()
    manifest_path = root / "patients.csv"
    rows = Rows(task)
    for line, patient in enumerate(manifest.itertuples(index=False), start=2):
        if rows.duplicate(f"patient id {patient.patient_id}", manifest_path, line):
            continue
        images, problem = {}, None
        for side in ("left", "right"):
            relative = getattr(patient, f"{side}_image")
            image = resolve_inside(root, relative) if relative else None
            if relative and (image is None or not image.is_file()):
                problem = f"{side} image {relative!r} is not a file"
            images[side] = str(image) if image else ""
        if problem is None and not (images["left"] or images["right"]):
            problem = "no image of either eye"
        if problem is None and patient.patient_id not in truth.index:
            problem = f"no single {label} label in {path.name}"
        if problem:
            rows.reject(manifest_path, line, problem)
            continue
        sample = (patient.patient_id, patient.patient_id, "", images["left"], images["right"])
        rows.add(sample, int(truth[patient.patient_id]))
    return _with_reports(rows.dataset(PATIENT_LABELS[label], task.type, "patient"), reports)


def _with_reports(dataset: TaskDataset, reports: pd.Series) -> TaskDataset:
    """Attach each sample's raw report (zero-shot prompts and retrieval read them)."""
    by_sample = reports.reindex(dataset.samples["patient_id"]).reset_index(drop=True)
    return replace(dataset, reports=by_sample)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise DatasetError(f"{path}: not found (is this a synthetic clinic folder?)")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DatasetError(f"{path}: missing columns {missing}")
    for column in set(columns) & {*EYE_LABELS, *PATIENT_LABELS}:
        table[column] = pd.to_numeric(table[column], errors="coerce")
    return table
