"""Builders for tiny copies of the published layouts: 8x8 images and hand-written tables."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from retclip.config import TaskParams
from retclip.eval.dataset import TaskDataset


def image(path: Path) -> Path:
    """An 8x8 image in the format its extension names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (150, 60, 30)).save(path)
    return path


def table(path: Path, text: str) -> Path:
    """A CSV table written as given (leading indentation removed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
    return path


def task(adapter: str, kind: str, *, level: str = "eye", label: str | None = None) -> TaskParams:
    return TaskParams(name="t", adapter=adapter, path=".", type=kind, level=level, label=label)


def reasons(dataset: TaskDataset) -> dict[str, str]:
    """Quarantined rows as ``{"<file name>:<row>": reason}``."""
    return {f"{Path(e['file']).name}:{e['row']}": e["reason"] for e in dataset.quarantine}


def by_id(dataset: TaskDataset) -> dict[str, object]:
    """Each sample's label (an int, or a list for multi-label tasks), keyed by sample id."""
    return dict(zip(dataset.samples["sample_id"], dataset.labels.tolist(), strict=True))
