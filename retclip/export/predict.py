"""Zero-shot prediction with an export folder: fundus photographs in, label probabilities out.

A photograph takes the path the training images took: decode, find the field of view, crop it
to the preprocess size, JPEG at the preprocess quality, decode and resize to the model size
(:func:`retclip.model.preprocessing.photo_to_model_input`).
One eye is scored at eye level (that side's embedding against that side's text head); two eyes
also at patient level. Probabilities are ``softmax(logit_scale * cosine)`` over the labels.
Only numpy, Pillow, onnxruntime and tokenizers are imported: no torch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from retclip.data.images import ImageError
from retclip.export.layout import ExportInfo
from retclip.export.runtime import ExportedModel
from retclip.model.preprocessing import photo_to_model_input

# Each label is embedded through these prompts (ensembled) in its own language: the bare
# finding, as reports state it, and a sentence about a photograph.
TEMPLATES = {
    "en": ("{label}", "a fundus photograph showing {label}"),
    "zh": ("{label}", "眼底照片显示{label}"),
}
SIDES = ("left", "right")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class PredictError(ValueError):
    """No prediction can be made: an unusable image (named), no eye, or bad labels or task."""


def load_eye(path: Path, info: ExportInfo) -> np.ndarray:
    """One photograph as model input ``[3, S, S]``, made exactly as training images were."""
    try:
        return photo_to_model_input(
            path,
            info.preprocess_size,
            info.jpeg_quality,
            info.image_size,
            info.max_pixels,
            info.local_contrast,
        )
    except ImageError as exc:
        raise PredictError(str(exc)) from exc


def label_prompts(labels: Sequence[str]) -> dict[str, list[str]]:
    """Label -> prompts in the label's language (Chinese if it has CJK characters, else English)."""
    cleaned = [label.strip() for label in labels]
    if len(cleaned) < 2 or not all(cleaned):
        raise PredictError(f"zero-shot needs at least two non-empty labels, got {list(labels)}")
    if len(set(cleaned)) != len(cleaned):
        raise PredictError(f"labels repeat: {cleaned}")
    return {
        label: [t.format(label=label) for t in TEMPLATES["zh" if _CJK.search(label) else "en"]]
        for label in cleaned
    }


def class_prompts(
    model: ExportedModel, labels: Sequence[str] | None, task: str | None
) -> dict[str, list[str]]:
    """The classes to score and their prompts: from ``labels``, or from the export's task."""
    if (labels is None) == (task is None):
        raise PredictError("give either labels or a task, not both and not neither")
    if labels is not None:
        return label_prompts(labels)
    if task not in model.prompts:
        known = ", ".join(sorted(model.prompts)) or "none"
        raise PredictError(f"{model.folder}: no prompts for task {task!r} (tasks: {known})")
    return model.prompts[task]


def class_embeddings(model: ExportedModel, classes: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Level -> ``[classes, E]``: each class's prompt embeddings averaged, then unit-normed."""
    texts = [text for prompts in classes.values() for text in prompts]
    bounds = np.cumsum([0, *(len(prompts) for prompts in classes.values())])
    result = {}
    for level, embeddings in model.encode_texts(texts).items():
        means = np.stack([embeddings[a:b].mean(axis=0) for a, b in pairwise(bounds)])
        result[level] = means / np.linalg.norm(means, axis=1, keepdims=True)
    return result


def predict(
    model: ExportedModel | Path,
    left: Path | None = None,
    right: Path | None = None,
    *,
    labels: Sequence[str] | None = None,
    task: str | None = None,
) -> dict[str, Any]:
    """Score one eye or a patient's two eyes against ``labels`` or a task's classes.

    Returns JSON-ready ``{"model", "task", "labels", "eyes": {side: {"image", "probabilities",
    "prediction"}}, "patient": {...}}``; ``patient`` only when both eyes are given.
    """
    if not isinstance(model, ExportedModel):
        model = ExportedModel.load(Path(model))
    paths = {side: Path(p) for side, p in zip(SIDES, (left, right), strict=True) if p is not None}
    if not paths:
        raise PredictError("give at least one eye (a left or a right photograph)")
    classes = class_prompts(model, labels, task)
    pixels = {side: load_eye(path, model.info) for side, path in paths.items()}
    rows = list(pixels)
    index = {
        side: np.array([rows.index(side) if side in pixels else -1], dtype=np.int64)
        for side in SIDES
    }
    images = model.image(np.stack(list(pixels.values())), index["left"], index["right"])
    texts = class_embeddings(model, classes)
    names = list(classes)

    def scores(level: str) -> dict[str, Any]:
        logits = model.info.logit_scales[level] * (texts[level] @ images[level][0])
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        return {
            "probabilities": {
                n: round(float(p), 6) for n, p in zip(names, probabilities, strict=True)
            },
            "prediction": names[int(np.argmax(probabilities))],
        }

    result: dict[str, Any] = {
        "model": str(model.folder),
        "task": task,
        "labels": names,
        "eyes": {side: {"image": str(path), **scores(side)} for side, path in paths.items()},
    }
    if len(paths) == 2:
        result["patient"] = scores("patient")
    return result
