"""The synthetic clinic: a raw data folder in the manifest contract, plus its ground truth.

Layout of ``out`` (every path in the manifest is relative to it)::

    patients.csv            the manifest (DESIGN.md section 3), with dirty rows mixed in
    images/*.jpg            fundus photographs
    truth/eyes.csv          per-eye labels (for evaluation and tests, never for pre-training)
    truth/patients.csv      per-row language, report style and the defect injected, if any
    truth/phi_spans.jsonl   every PHI span of every report: type and code-point offsets
    synth.json              the parameters that made the folder

Every row and eye draws from its own seed (``[seed, row, ...]``), so the output is identical byte
for byte whatever the number of workers, and a smaller clinic is a prefix of a larger one.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from retclip.config import SynthParams
from retclip.data.synth.findings import EyeSpec
from retclip.data.synth.fundus import encode_jpeg, render_eye
from retclip.data.synth.patients import Patient, sample_patient
from retclip.data.synth.reports import garble, write_report

MANIFEST_COLUMNS = (
    "patient_id",
    "left_image",
    "right_image",
    "report",
    "exam_date",
    "age",
    "sex",
    "site",
)
LABEL_COLUMNS = (
    "dr_grade",
    "referable_dr",
    "cdr",
    "glaucoma",
    "amd",
    "cataract",
    "myopia",
    "hypertensive",
)
IMAGE_DEFECTS = (
    "missing_image",
    "zero_byte_image",
    "truncated_image",
    "not_an_image",
    "path_escape",
    "underexposed_image",
)
ROW_DEFECTS = ("empty_report", "garbled_report", "duplicate_id", "one_eye")
DEFECTS = IMAGE_DEFECTS + ROW_DEFECTS
MARKER = "synth.json"


class SynthError(RuntimeError):
    """The clinic cannot be written where it was asked to go."""


@dataclass(frozen=True)
class ImageJob:
    """One photograph to render and write; ``defect`` says how to spoil it, if at all."""

    path: Path
    spec: EyeSpec
    size: tuple[int, int]
    seed: tuple[int, ...]
    quality: int
    defect: str = ""


@dataclass
class ClinicSummary:
    """What was written: counts a person checks after generating a clinic."""

    out: Path
    patients: int
    images: int
    bytes: int
    defects: dict[str, int]
    languages: dict[str, int]


@dataclass
class _Row:
    row: int
    patient_id: str
    patient: Patient
    defect: str
    defect_side: str
    report: str
    spans: list[dict]
    style: str
    left_image: str
    right_image: str


def _render(job: ImageJob) -> int:
    """Render, encode and write one image (in a worker process); returns bytes written."""
    if job.defect in ("missing_image", "path_escape"):
        return 0
    spec = job.spec
    if job.defect == "underexposed_image":
        spec = replace(spec, camera=replace(spec.camera, exposure=0.05))
    pixels = render_eye(spec, job.size, np.random.SeedSequence(job.seed))
    data = encode_jpeg(pixels, job.quality)
    if job.defect == "zero_byte_image":
        data = b""
    elif job.defect == "truncated_image":
        data = data[: len(data) * 2 // 5]
    elif job.defect == "not_an_image":
        data = b"This is not a photograph: the export wrote a text file here.\n"
    job.path.write_bytes(data)
    return len(data)


def _plan_row(row: int, params: SynthParams, ids: list[str]) -> _Row:
    """Decide everything about one manifest row from its own seed."""
    rng = np.random.default_rng([params.seed, row])
    if params.lang == "mixed":
        lang = "zh" if rng.random() < params.zh_share else "en"
    else:
        lang = params.lang
    patient = sample_patient(rng, lang, params.mirror_rate)
    defect, defect_side = "", ""
    if rng.random() < params.dirty_rate:
        choices = [d for d in DEFECTS if d != "duplicate_id" or ids]
        defect = choices[int(rng.integers(len(choices)))]
        defect_side = "left" if rng.random() < 0.5 else "right"
    patient_id = ids[int(rng.integers(len(ids)))] if defect == "duplicate_id" else f"P{row + 1:06d}"

    left = None if defect == "one_eye" and defect_side == "left" else patient.left.findings
    right = None if defect == "one_eye" and defect_side == "right" else patient.right.findings
    report_rng = np.random.default_rng([params.seed, row, 9])
    report, style = write_report(report_rng, patient.visit, left, right, float(rng.uniform(0, 1)))
    text, spans = report.text, report.spans
    if defect == "empty_report":
        text, spans = ("", " \n ", "N/A")[int(rng.integers(3))], []
    elif defect == "garbled_report":
        text, spans = garble(rng, text), []

    paths = {}
    for side, letter, present in (("left", "L", left), ("right", "R", right)):
        path = f"images/img{row + 1:06d}_{letter}.jpg" if present is not None else ""
        if defect == "path_escape" and side == defect_side:
            path = ("../outside/" + path.split("/")[-1], "/tmp/" + path.split("/")[-1])[row % 2]
        paths[side] = path
    return _Row(
        row,
        patient_id,
        patient,
        defect,
        defect_side,
        text,
        spans,
        style,
        paths["left"],
        paths["right"],
    )


def _jobs(rows: list[_Row], staging: Path, params: SynthParams) -> list[ImageJob]:
    jobs = []
    for r in rows:
        for index, side in enumerate(("left", "right")):
            path = r.left_image if side == "left" else r.right_image
            if not path:
                continue
            defect = r.defect if r.defect in IMAGE_DEFECTS and r.defect_side == side else ""
            target = staging / "images" / Path(path).name
            spec = r.patient.left if side == "left" else r.patient.right
            jobs.append(
                ImageJob(
                    target,
                    spec,
                    params.image_size,
                    (params.seed, r.row, index + 1),
                    params.jpeg_quality,
                    defect,
                )
            )
    return jobs


def _write_tables(rows: list[_Row], staging: Path, params: SynthParams) -> None:
    truth = staging / "truth"
    truth.mkdir()
    with open(staging / "patients.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for r in rows:
            v = r.patient.visit
            writer.writerow(
                (
                    r.patient_id,
                    r.left_image,
                    r.right_image,
                    r.report,
                    v.exam_date.isoformat(),
                    v.age,
                    v.sex,
                    v.site,
                )
            )
    with open(truth / "eyes.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            (
                "row",
                "patient_id",
                "side",
                "image",
                *LABEL_COLUMNS,
                "any_disease",
                "mirrored",
                "defect",
            )
        )
        for r in rows:
            for side in ("left", "right"):
                path = r.left_image if side == "left" else r.right_image
                if not path:
                    continue
                spec = r.patient.left if side == "left" else r.patient.right
                labels = spec.findings.labels
                defect = r.defect if r.defect in IMAGE_DEFECTS and r.defect_side == side else ""
                writer.writerow(
                    (
                        r.row,
                        r.patient_id,
                        side,
                        path,
                        *(labels[c] for c in LABEL_COLUMNS),
                        int(spec.findings.any_disease),
                        int(spec.camera.mirrored),
                        defect,
                    )
                )
    with open(truth / "patients.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ("row", "patient_id", "lang", "report_style", "defect", "defect_side", "any_disease")
        )
        for r in rows:
            sick = r.patient.left.findings.any_disease or r.patient.right.findings.any_disease
            writer.writerow(
                (
                    r.row,
                    r.patient_id,
                    r.patient.visit.lang,
                    r.style,
                    r.defect,
                    r.defect_side if r.defect in (*IMAGE_DEFECTS, "one_eye") else "",
                    int(sick),
                )
            )
    with open(truth / "phi_spans.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(
                json.dumps({"row": r.row, "patient_id": r.patient_id, "spans": r.spans}) + "\n"
            )
    settings = params.model_dump(mode="json", exclude={"workers"})
    (staging / MARKER).write_text(
        json.dumps({"generator": "retclip synth", "format": 1, "params": settings}, indent=2)
        + "\n",
        encoding="utf-8",
    )


def _replace_folder(staging: Path, out: Path) -> None:
    """Swap the finished staging folder in; refuse to delete a folder the clinic did not make."""
    if out.exists():
        if not out.is_dir():
            raise SynthError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise SynthError(
                f"{out} holds data that the synthetic clinic did not write (no {MARKER}); "
                "choose an empty or new folder"
            )
        shutil.rmtree(out)
    staging.rename(out)


def generate_clinic(out: Path, params: SynthParams, progress: bool = True) -> ClinicSummary:
    """Write a complete synthetic clinic to ``out`` (atomically: all or nothing)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "images").mkdir(parents=True)
    try:
        rows: list[_Row] = []
        ids: list[str] = []
        for row in range(params.patients):
            planned = _plan_row(row, params, ids)
            rows.append(planned)
            ids.append(planned.patient_id)
        jobs = _jobs(rows, staging, params)
        bar = tqdm(total=len(jobs), desc="synth", unit="img", disable=not progress, leave=False)
        written = 0
        if params.workers > 1:
            with ProcessPoolExecutor(params.workers) as pool:
                for size in pool.map(_render, jobs, chunksize=8):
                    written += size
                    bar.update()
        else:
            for job in jobs:
                written += _render(job)
                bar.update()
        bar.close()
        _write_tables(rows, staging, params)
        _replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ClinicSummary(
        out=out,
        patients=len(rows),
        images=sum(1 for j in jobs if j.defect not in ("missing_image", "path_escape")),
        bytes=written,
        defects=dict(sorted(Counter(r.defect for r in rows if r.defect).items())),
        languages=dict(sorted(Counter(r.patient.visit.lang for r in rows).items())),
    )
