"""Read the patient manifest (DESIGN.md section 3) exactly as the user wrote it.

Every field stays a string, so a quarantined row can be written back unchanged. Problems that
make the whole table unusable raise :class:`ManifestError`; problems of one row are left to
validation, which quarantines that row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REQUIRED_COLUMNS = ("patient_id", "left_image", "right_image", "report")
OPTIONAL_COLUMNS = ("exam_date", "age", "sex", "site")
MANIFEST_NAMES = ("patients.csv", "patients.parquet")
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with or without a BOM, then GBK's superset


class ManifestError(ValueError):
    """The manifest as a whole cannot be used; the message says which file and why."""


@dataclass
class Manifest:
    """The table as read, with where it came from and how its bytes were decoded."""

    frame: pd.DataFrame  # all columns as str, missing values as ""
    path: Path
    encoding: str
    undecodable_rows: list[int]  # rows whose bytes were not valid in any encoding


def find_manifest(raw: Path) -> Path:
    for name in MANIFEST_NAMES:
        if (raw / name).is_file():
            return raw / name
    raise ManifestError(f"{raw}: no manifest found (expected one of {', '.join(MANIFEST_NAMES)})")


def read_manifest(raw: Path) -> Manifest:
    """Read ``patients.csv`` or ``patients.parquet`` from ``raw``; check the required columns."""
    path = find_manifest(raw)
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise ManifestError(f"{path}: unreadable Parquet file ({exc})") from None
        manifest = Manifest(_as_strings(frame), path, "parquet", [])
    else:
        manifest = _read_csv(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in manifest.frame.columns]
    if missing:
        raise ManifestError(
            f"{path}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(map(str, manifest.frame.columns)) or 'none'})"
        )
    return manifest


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(lambda v: "" if v is None or v != v else str(v))
    return frame.astype(object).reset_index(drop=True)


def _read_csv(path: Path) -> Manifest:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise ManifestError(f"{path}: the file is empty")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return Manifest(_parse(text, path), path, encoding, [])
    # Mixed bytes: decode what is UTF-8 and mark the rows that hold invalid bytes.
    text = data.decode("utf-8-sig", errors="replace")
    frame = _parse(text, path)
    bad = [i for i, row in frame.iterrows() if any("\ufffd" in str(v) for v in row.values)]
    return Manifest(frame, path, "utf-8 (invalid bytes replaced)", bad)


def _parse(text: str, path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ManifestError(f"{path}: not a readable CSV table ({exc})") from None
    return _as_strings(frame)
