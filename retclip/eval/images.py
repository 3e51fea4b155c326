"""A task's photographs as model inputs, made exactly as training made them.

Each photograph goes through :func:`photo_to_model_input`: the preprocess stage's crop, the
shard's JPEG quality and the training loader's decode, so a downstream score measures the model,
not a difference in preprocessing. A photograph that cannot be used is quarantined with its file and
reason; a patient keeps the eye that can be used.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
from tqdm import tqdm

from retclip.data.images import ImageError
from retclip.eval.dataset import TaskDataset, quarantine_entry
from retclip.model.preprocessing import photo_to_model_input


@dataclass(frozen=True)
class ImageRecipe:
    """The preprocess stage's settings and the model's input size."""

    crop_size: int
    jpeg_quality: int
    model_size: int
    max_pixels: int
    local_contrast: bool = False  # the model's input filter (ModelConfig.local_contrast)


@dataclass
class TaskImages:
    """Model inputs of the kept samples, in the dataset's row order.

    ``left``/``right`` are ``[N, 3, S, S]`` float32 with ``has_left``/``has_right`` masks; an
    eye-level task keeps each photograph in the array of its side (``sides`` says which; an
    unknown side is stored as left and marked ``""``).
    """

    rows: np.ndarray  # indices into the dataset's samples
    left: np.ndarray
    right: np.ndarray
    has_left: np.ndarray
    has_right: np.ndarray
    sides: np.ndarray  # eye level: "left" | "right" | ""; patient level: "patient"
    quarantine: list[dict[str, str]]


def load_task_images(
    dataset: TaskDataset, recipe: ImageRecipe, workers: int = 1, progress: bool = True
) -> TaskImages:
    """Prepare every photograph of ``dataset``; unusable ones go to the quarantine list."""
    samples = dataset.samples
    if dataset.level == "eye":
        columns = {"image": samples["image"].tolist()}
    else:
        columns = {"left": samples["left_image"].tolist(), "right": samples["right_image"].tolist()}
    paths = sorted({p for values in columns.values() for p in values if p})
    prepared = _prepare_all(paths, recipe, workers, progress)
    empty = np.zeros((3, recipe.model_size, recipe.model_size), dtype=np.float32)
    rows, lefts, rights, has_left, has_right, sides, quarantine = [], [], [], [], [], [], []
    for row, sample in enumerate(samples.itertuples(index=False)):
        if dataset.level == "eye":
            image, problem = prepared[sample.image]
            if problem:
                quarantine.append(quarantine_entry(sample.image, sample.sample_id, problem))
                continue
            on_right = sample.side == "right"
            pair = (empty, image) if on_right else (image, empty)
            present = (False, True) if on_right else (True, False)
            side = sample.side
        else:
            pair, present = [], []
            for path in (sample.left_image, sample.right_image):
                image, problem = prepared[path] if path else (None, None)
                if problem:
                    quarantine.append(quarantine_entry(path, sample.sample_id, problem))
                pair.append(empty if image is None else image)
                present.append(image is not None)
            if not any(present):
                continue
            side = "patient"
        rows.append(row)
        lefts.append(pair[0])
        rights.append(pair[1])
        has_left.append(present[0])
        has_right.append(present[1])
        sides.append(side)
    return TaskImages(
        rows=np.asarray(rows, dtype=np.int64),
        left=np.stack(lefts) if lefts else np.zeros((0, *empty.shape), np.float32),
        right=np.stack(rights) if rights else np.zeros((0, *empty.shape), np.float32),
        has_left=np.asarray(has_left, dtype=bool),
        has_right=np.asarray(has_right, dtype=bool),
        sides=np.asarray(sides, dtype=object),
        quarantine=quarantine,
    )


def _prepare_or_reason(path: str, recipe: ImageRecipe) -> tuple[np.ndarray | None, str | None]:
    try:
        pixels = photo_to_model_input(
            path,
            recipe.crop_size,
            recipe.jpeg_quality,
            recipe.model_size,
            recipe.max_pixels,
            recipe.local_contrast,
        )
        return pixels, None
    except ImageError as exc:
        return None, f"{exc.code}: {exc}"


def _prepare_all(
    paths: list[str], recipe: ImageRecipe, workers: int, progress: bool
) -> dict[str, tuple[np.ndarray | None, str | None]]:
    work = partial(_prepare_or_reason, recipe=recipe)
    bar = partial(tqdm, total=len(paths), desc="images", unit="img", disable=not progress)
    if workers > 1 and len(paths) > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(bar(pool.map(work, paths, chunksize=16)))
    else:
        results = list(bar(map(work, paths)))
    return dict(zip(paths, results, strict=True))
