"""Dataset adapters by name, and the one entry point that loads a configured task.

``params.yaml`` names an adapter per task; :func:`load_task` finds the data, runs the adapter
and checks that what came back is what the task declared (type, level, label shape), so a
misconfigured task fails before any model runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from retclip.config import TaskParams
from retclip.eval.adapters.folders import (
    load_class_folders,
    load_glaucoma_fundus,
    load_jsiec,
    load_retfound,
    load_retina,
)
from retclip.eval.adapters.grading import load_aptos2019, load_idrid, load_messidor2
from retclip.eval.adapters.odir import load_odir5k
from retclip.eval.adapters.papila import load_papila
from retclip.eval.adapters.rfmid import load_rfmid
from retclip.eval.adapters.synthetic import load_synthetic
from retclip.eval.dataset import DatasetError, TaskDataset

ADAPTERS: dict[str, Callable[[Path, TaskParams], TaskDataset]] = {
    "synthetic": load_synthetic,
    "idrid": load_idrid,
    "aptos2019": load_aptos2019,
    "messidor2": load_messidor2,
    "papila": load_papila,
    "glaucoma_fundus": load_glaucoma_fundus,
    "jsiec": load_jsiec,
    "retina": load_retina,
    "rfmid": load_rfmid,
    "odir5k": load_odir5k,
    "retfound": load_retfound,
    "class_folders": load_class_folders,
}


def load_task(task: TaskParams, base: Path) -> TaskDataset:
    """The task's samples from ``base / task.path``, checked against its declared type and level."""
    adapter = ADAPTERS.get(task.adapter)
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise DatasetError(f"task {task.name}: unknown adapter {task.adapter!r}; known: {known}")
    root = Path(base) / task.path
    if not root.is_dir():
        raise DatasetError(f"task {task.name}: data folder {root} not found")
    dataset = adapter(root, task)
    _check(task, dataset)
    return dataset


def _check(task: TaskParams, dataset: TaskDataset) -> None:
    """Raise when the adapter's output contradicts the task's ``type`` or ``level``."""
    where = f"task {task.name}: adapter {task.adapter!r}"
    if dataset.level != task.level:
        raise DatasetError(
            f"{where} gives {dataset.level}-level samples, but the task says level "
            f"{task.level!r}; set level: {dataset.level}"
        )
    count = len(dataset.classes)
    if dataset.kind != task.type:
        raise DatasetError(
            f"{where} gives {dataset.kind} labels over {count} classes "
            f"{dataset.classes[:6]}, but the task says type {task.type!r}"
        )
    labels = dataset.labels
    if task.type == "multilabel":
        fits = labels.ndim == 2 and labels.shape[1] == count and np.isin(labels, (0, 1)).all()
    else:
        fits = labels.ndim == 1 and labels.min() >= 0 and labels.max() < count
        fits = fits and (task.type != "binary" or count == 2)
    if not fits:
        raise DatasetError(
            f"{where}: labels of shape {labels.shape} do not fit a {task.type} task over "
            f"{count} classes {dataset.classes[:6]}"
        )
