"""Fixtures of the text tests: a PHI-annotated synthetic clinic and its cleaned reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from retclip.config import CleanReportsParams, SynthParams
from retclip.data.synth.clinic import generate_clinic
from retclip.text.clean import CleanResult, clean_reports


@pytest.fixture(scope="session")
def phi_clinic(tmp_path_factory) -> Path:
    """300 clean patients (no dirty rows), both languages, tiny images: the PHI ground truth."""
    out = tmp_path_factory.mktemp("phi_clinic") / "raw"
    params = SynthParams(patients=300, seed=31, image_size=(128, 96), dirty_rate=0.0, workers=2)
    generate_clinic(out, params, progress=False)
    return out


@pytest.fixture(scope="session")
def phi_manifest(phi_clinic) -> pd.DataFrame:
    """The manifest as the cleaner receives it: every column a string, empty cells kept."""
    return pd.read_csv(phi_clinic / "patients.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def phi_truth(phi_clinic) -> list[dict]:
    """Per row: patient id, report language and style, and the PHI spans of the report."""
    with open(phi_clinic / "truth" / "patients.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(phi_clinic / "truth" / "phi_spans.jsonl", encoding="utf-8") as fh:
        spans = [json.loads(line) for line in fh]
    return [{**row, "spans": s["spans"]} for row, s in zip(rows, spans, strict=True)]


@pytest.fixture(scope="session")
def phi_cleaned(phi_manifest) -> CleanResult:
    return clean_reports(phi_manifest, CleanReportsParams(), progress=False)
