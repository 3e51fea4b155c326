"""What every dataset adapter returns: labelled photographs in one shape, whatever the source.

An adapter reads a published layout (a CSV of grades, class folders, ...) and gives back a
:class:`TaskDataset`; the protocols never look at the source again. Rows an adapter cannot use (an
unknown label, a listed image that is absent, a path outside the data folder) are not dropped:
they go to ``quarantine`` with the file, the row and the reason, so rows in = samples + quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

TaskKind = Literal["binary", "multiclass", "multilabel", "ordinal"]
TaskLevel = Literal["eye", "patient"]
SPLITS = ("train", "val", "test")
EYE_COLUMNS = ("sample_id", "patient_id", "split", "image", "side")
PATIENT_COLUMNS = ("sample_id", "patient_id", "split", "left_image", "right_image")


class DatasetError(ValueError):
    """A dataset that cannot be read at all: a missing table, missing columns, an empty set."""


@dataclass
class TaskDataset:
    """Labelled samples of one task.

    ``samples`` has one row per eye (``EYE_COLUMNS``: ``image`` an absolute path, ``side``
    ``left``/``right`` or ``""`` when the source does not say) or per patient
    (``PATIENT_COLUMNS``: ``""`` for an absent eye). ``split`` is ``train``, ``val``, ``test``
    or ``""`` when the source has no official split (the protocols then split by patient).
    ``labels`` is int64 ``[N]`` (class index into ``classes``) or ``[N, C]`` of 0/1 for
    multi-label tasks. ``reports`` holds the raw report of each sample's patient where the source
    has one (the synthetic clinic), for retrieval.
    """

    name: str
    kind: TaskKind
    level: TaskLevel
    classes: list[str]
    samples: pd.DataFrame
    labels: np.ndarray
    reports: pd.Series | None = None
    quarantine: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        columns = EYE_COLUMNS if self.level == "eye" else PATIENT_COLUMNS
        missing = [c for c in columns if c not in self.samples.columns]
        if missing:
            raise DatasetError(f"task {self.name}: samples lack columns {missing}")
        if len(self.samples) == 0:
            raise DatasetError(f"task {self.name}: no usable samples")
        if len(self.labels) != len(self.samples):
            raise DatasetError(f"task {self.name}: {len(self.labels)} labels for {len(self)} rows")
        duplicated = self.samples["sample_id"][self.samples["sample_id"].duplicated()]
        if len(duplicated):
            raise DatasetError(f"task {self.name}: duplicate sample ids {sorted(duplicated)[:5]}")
        bad_splits = set(self.samples["split"]) - {*SPLITS, ""}
        if bad_splits:
            raise DatasetError(f"task {self.name}: unknown splits {sorted(bad_splits)}")

    def __len__(self) -> int:
        return len(self.samples)


def quarantine_entry(file: Path | str, row: int | str, reason: str) -> dict[str, str]:
    """One unusable source row: which file, which row (1-based line or a name) and why."""
    return {"file": str(file), "row": str(row), "reason": reason}


def resolve_inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it stays inside ``root`` (no absolute paths, no ``..``), else None."""
    if not relative or Path(relative).is_absolute():
        return None
    root = root.resolve()
    target = (root / relative).resolve()
    return target if target.is_relative_to(root) else None
