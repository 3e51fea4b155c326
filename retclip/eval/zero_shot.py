"""Zero-shot classification: which class's prompts does the image embedding sit closest to?

An eye is compared with the texts of its side's head, a patient with the patient head (the
levels RET-CLIP was trained to align). Probabilities are ``softmax(scale * cosine)`` over the
classes with the model's learned scale of that level; a multi-label task decides each label
against a normal fundus.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from retclip.eval.dataset import TaskKind
from retclip.eval.embed import text_embeddings
from retclip.eval.images import TaskImages
from retclip.eval.prompts import task_prompts
from retclip.model.retclip import RetClip


def zero_shot(
    model: RetClip,
    tokenizer_dir: Path,
    images: TaskImages,
    image_embeddings: np.ndarray,
    classes: list[str],
    kind: TaskKind,
) -> np.ndarray:
    """``[N, classes]`` probabilities for every kept sample (its eye or patient embedding)."""
    prompts = task_prompts(classes, multilabel=kind == "multilabel")
    x = torch.from_numpy(image_embeddings)
    scales = {level: float(value.detach()) for level, value in model.logit_scales().items()}
    logits = torch.zeros(len(x), len(prompts))
    for level in ("patient", "left", "right"):
        rows = _rows(images.sides, level)
        if not rows.any():
            continue
        classes_text = _class_embeddings(model, tokenizer_dir, prompts, level)
        logits[rows] = scales[level] * (x[rows] @ classes_text.T)
    unknown = images.sides == ""
    if unknown.any():  # side unknown: both eye heads, averaged
        both = [_class_embeddings(model, tokenizer_dir, prompts, s) for s in ("left", "right")]
        scale = (scales["left"] + scales["right"]) / 2
        logits[torch.from_numpy(unknown)] = scale * (x[unknown] @ F.normalize(sum(both), dim=-1).T)
    if kind == "multilabel":
        absent = logits[:, -1:]
        return torch.sigmoid(logits[:, :-1] - absent).numpy()
    return logits.softmax(-1).numpy()


def _rows(sides: np.ndarray, level: str) -> torch.Tensor:
    return torch.from_numpy(sides == level)


def _class_embeddings(
    model: RetClip, tokenizer_dir: Path, prompts: dict[str, list[str]], level: str
) -> torch.Tensor:
    """One embedding per class: the normalised mean of its prompts' embeddings."""
    rows = []
    for texts in prompts.values():
        rows.append(text_embeddings(model, tokenizer_dir, texts, level).mean(0))
    return F.normalize(torch.stack(rows), dim=-1)
