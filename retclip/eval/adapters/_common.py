"""Pieces every public-dataset adapter shares: forgiving tables and image look-up, row bookkeeping.

Published sets are copied by hand, re-saved by spreadsheets and re-zipped by mirrors, so headers
gain spaces, extensions change case and images move from ``.jpg`` to ``.png``. These helpers
absorb that, and keep every source row either as a sample or as a quarantine entry.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from retclip.config import TaskParams
from retclip.eval.dataset import (
    EYE_COLUMNS,
    PATIENT_COLUMNS,
    DatasetError,
    TaskDataset,
    TaskKind,
    TaskLevel,
    quarantine_entry,
    resolve_inside,
)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
# International Clinical DR scale, grades 0..4 (the same names as the synthetic clinic's).
DR_GRADES = ["no DR", "mild NPDR", "moderate NPDR", "severe NPDR", "PDR"]
LINE = "_line"  # the 1-based line (or spreadsheet row) a table row came from
ENCODINGS = ("utf-8-sig", "gb18030")
T = TypeVar("T")


def find_table(folder: Path, *names: str) -> Path:
    """The first of ``names`` that exists in ``folder``; spreadsheets go last in ``names``."""
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise DatasetError(f"{folder}: no label table; looked for {', '.join(names)}")


def read_table(
    path: Path, required: Mapping[str, Sequence[str]], header_with: str | None = None
) -> pd.DataFrame:
    """A table as stripped strings, with a ``LINE`` column and the ``required`` columns renamed.

    ``required`` maps each canonical name to the header names accepted for it (compared without
    case or surrounding spaces). The header is the first row, or the first row holding a cell
    ``header_with`` (sheets with a title above the header). Blank rows and blank unnamed columns
    are dropped: they are spreadsheet padding, not data.
    """
    raw = _read_raw(path).fillna("").map(lambda value: str(value).strip())
    header = 0 if header_with is None else _header_row(raw, path, header_with)
    table = raw.iloc[header + 1 :].set_axis(_unique(list(raw.iloc[header])), axis=1)
    table = table[(table != "").any(axis=1)]
    padding = [c for c in table.columns if _unnamed(c) and (table[c] == "").all()]
    table = table.drop(columns=padding).assign(**{LINE: table.index + 1})
    folded = {str(c).casefold(): c for c in table.columns}
    renames, missing = {}, []
    for canonical, accepted in required.items():
        found = next((folded[a.casefold()] for a in accepted if a.casefold() in folded), None)
        if found is None:
            missing.append(" or ".join(repr(a) for a in accepted))
        else:
            renames[found] = canonical
    if missing:
        present = [c for c in table.columns if c != LINE]
        raise DatasetError(f"{path}: missing columns {', '.join(missing)}; it has {present}")
    return table.rename(columns=renames).reset_index(drop=True)


def _read_raw(path: Path) -> pd.DataFrame:
    if path.suffix.casefold() in {".xlsx", ".xls"}:
        engine = "xlrd" if path.suffix.casefold() == ".xls" else "openpyxl"
        try:
            return pd.read_excel(path, header=None, dtype=str, engine=engine)
        except ImportError as error:
            raise DatasetError(
                f"{path}: reading it needs {engine}, which is not installed; "
                f"save the sheet as {path.with_suffix('.csv').name} beside it"
            ) from error
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            raise DatasetError(f"{path}: not a readable spreadsheet ({error})") from error
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    try:
        return pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DatasetError(f"{path}: not a readable CSV table ({error})") from error


def _header_row(raw: pd.DataFrame, path: Path, word: str) -> int:
    for index, row in enumerate(raw.head(20).itertuples(index=False)):
        if any(str(cell).casefold() == word.casefold() for cell in row):
            return index
    raise DatasetError(f"{path}: no header row with a {word!r} column in its first 20 rows")


def _unique(names: list[str]) -> list[str]:
    """Header names made unique the way pandas does (``a``, ``a.1``), so lookups stay scalar."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append(name if count == 0 else f"{name}.{count}")
    return result


def _unnamed(name: str) -> bool:
    return name == "" or name.startswith("Unnamed") or re.fullmatch(r"\.\d+", name) is not None


class ImageLookup:
    """Finds a listed image in one folder, forgiving case and extension (``.png`` for ``.jpg``).

    Tables name images with or without an extension and mirrors re-encode them, so a name is
    tried as given, then without case, then by its stem with any image extension.
    """

    def __init__(self, root: Path, folder: Path) -> None:
        if not folder.is_dir():
            raise DatasetError(f"{folder}: image folder not found")
        self.root = root
        self.folder = folder
        self.relative = folder.relative_to(root)
        self.names: dict[str, list[str]] = {}
        for path in folder.iterdir():
            if path.suffix.casefold() in IMAGE_SUFFIXES:
                for key in {path.name.casefold(), path.stem.casefold()}:
                    self.names.setdefault(key, []).append(path.name)

    def find(self, name: str) -> tuple[Path | None, str]:
        """``(absolute path, "")``, or ``(None, reason)`` for a missing or escaping image."""
        if not name:
            return None, "no image name"
        exact = resolve_inside(self.root, str(self.relative / name))
        if exact is None:
            return None, f"image {name!r} is outside the dataset folder"
        if exact.is_file():
            return exact, ""
        key = name.casefold()
        stem = Path(key).stem if Path(key).suffix in IMAGE_SUFFIXES else key
        matches = self.names.get(key) or self.names.get(stem) or []
        if len(matches) != 1:
            found = "several candidates " + ", ".join(sorted(matches)) if matches else "no file"
            return None, f"image {name!r}: {found} in {self.folder}"
        image = resolve_inside(self.root, str(self.relative / matches[0]))
        if image is None:
            return None, f"image {name!r} links outside the dataset folder"
        return image, ""


def parse_code(value: str, count: int) -> int | None:
    """``"2"`` or ``"2.0"`` -> 2 when ``0 <= code < count``; None for anything else."""
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 <= number < count else None


def pick_label(task: TaskParams, variants: Mapping[str, T], default: str) -> tuple[str, T]:
    """The variant ``task.label`` names (``default`` when unset), or a DatasetError listing all."""
    label = task.label or default
    if label not in variants:
        raise DatasetError(
            f"task {task.name}: adapter {task.adapter!r} has no label {label!r}; "
            f"use one of {sorted(variants)}"
        )
    return label, variants[label]


def choose_kind(task: TaskParams, classes: int, *, ordered: bool) -> TaskKind:
    """The task's type when single-label data support it, else the data's own kind.

    ``load_task`` then reports a mismatch (binary over 5 grades, multilabel over one column).
    """
    fits = {"binary": classes == 2, "multiclass": True, "ordinal": ordered}
    if fits.get(task.type, False):
        return task.type
    if ordered and classes > 2:
        return "ordinal"
    return "binary" if classes == 2 else "multiclass"


@dataclass
class Rows:
    """Usable samples and quarantined source rows of one task: rows in = samples + quarantine."""

    task: TaskParams
    samples: list[tuple[str, ...]] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    quarantine: list[dict[str, str]] = field(default_factory=list)
    first_seen: dict[str, str] = field(default_factory=dict)

    def reject(self, file: Path, row: int | str, reason: str) -> None:
        self.quarantine.append(quarantine_entry(file, row, reason))

    def duplicate(self, key: str, file: Path, row: int | str) -> bool:
        """True, with the row quarantined, when ``key`` was already taken by an earlier row."""
        if key in self.first_seen:
            self.reject(file, row, f"duplicate {key} (first at {self.first_seen[key]})")
            return True
        self.first_seen[key] = f"{file.name} row {row}"
        return False

    def add(self, sample: tuple[str, ...], label: Any) -> None:
        self.samples.append(sample)
        self.labels.append(label)

    def dataset(self, classes: list[str], kind: TaskKind, level: TaskLevel = "eye") -> TaskDataset:
        if not self.samples:
            raise DatasetError(
                f"task {self.task.name}: no usable samples; {len(self.quarantine)} rows "
                f"quarantined, first {self.quarantine[:3]}"
            )
        labels = np.asarray(self.labels, dtype=np.int64)
        if kind == "multilabel":
            labels = labels.reshape(len(self.samples), len(classes))
        columns = list(EYE_COLUMNS if level == "eye" else PATIENT_COLUMNS)
        return TaskDataset(
            name=self.task.name,
            kind=kind,
            level=level,
            classes=list(classes),
            samples=pd.DataFrame(self.samples, columns=columns),
            labels=labels,
            quarantine=self.quarantine,
        )
