"""Frozen features of a task's images and of texts, in batches, without gradients.

Every photograph goes through the image tower once per model; all the features a protocol may ask
for are derived from that pass: the raw backbone feature (both eyes side by side for a patient,
a missing eye replaced by the learned missing-eye feature), the eye embedding (the side's
mapping; a photograph of unknown side gets the mean of both mappings), the patient embedding, and
for patient rows each eye's embedding (NaN where the eye is absent) for retrieval.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from retclip.eval.images import TaskImages
from retclip.model.retclip import RetClip
from retclip.text.tokenizer import encode

BATCH = 64


@dataclass
class ImageFeatures:
    backbone: np.ndarray  # [N, D] (D = 2E for patient rows)
    embedding: np.ndarray  # [N, E], L2-normalised: eye or patient embedding
    eyes: dict[str, np.ndarray]  # patient rows: "left"/"right" -> [N, E], NaN where absent


@torch.no_grad()
def image_features(model: RetClip, images: TaskImages) -> ImageFeatures:
    model.eval()
    left = _tower(model, images.left, images.has_left)
    right = _tower(model, images.right, images.has_right)
    has_left = torch.from_numpy(images.has_left)[:, None]
    has_right = torch.from_numpy(images.has_right)[:, None]
    mapped_left = F.normalize(model.left_feature_mapping(left), dim=-1)
    mapped_right = F.normalize(model.right_feature_mapping(right), dim=-1)
    if len(images.sides) and images.sides[0] == "patient":
        fill_left = torch.where(has_left, left, model.missing_eye[0].expand_as(left))
        fill_right = torch.where(has_right, right, model.missing_eye[1].expand_as(right))
        backbone = torch.cat([fill_left, fill_right], dim=1)
        nan = torch.full_like(mapped_left, float("nan"))
        return ImageFeatures(
            backbone=backbone.numpy(),
            embedding=F.normalize(model.global_feature_mapping(backbone), dim=-1).numpy(),
            eyes={
                "left": torch.where(has_left, mapped_left, nan).numpy(),
                "right": torch.where(has_right, mapped_right, nan).numpy(),
            },
        )
    backbone = torch.where(has_right, right, left)
    unknown_side = F.normalize(
        F.normalize(model.left_feature_mapping(backbone), dim=-1)
        + F.normalize(model.right_feature_mapping(backbone), dim=-1),
        dim=-1,
    )
    sides = images.sides
    embedding = torch.where(
        torch.from_numpy(sides == "right")[:, None],
        mapped_right,
        torch.where(torch.from_numpy(sides == "left")[:, None], mapped_left, unknown_side),
    )
    return ImageFeatures(backbone.numpy(), embedding.numpy(), {})


def _tower(model: RetClip, pixels: np.ndarray, present: np.ndarray) -> torch.Tensor:
    """Image-tower features ``[N, E]`` of the present photographs (zeros elsewhere)."""
    out = torch.zeros(len(pixels), model.config.embed_dim)
    rows = np.flatnonzero(present)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        out[batch] = model.visual(torch.from_numpy(pixels[batch])).float()
    return out


@torch.no_grad()
def text_embeddings(
    model: RetClip, tokenizer_dir: Path, texts: list[str], level: str
) -> torch.Tensor:
    """``[len(texts), E]`` L2-normalised embeddings through the text head of ``level``."""
    model.eval()
    ids, mask = encode(tokenizer_dir, texts, model.config.context_length)
    out = [
        model.encode_text(
            torch.from_numpy(ids[i : i + BATCH]), torch.from_numpy(mask[i : i + BATCH]), level
        )
        for i in range(0, len(texts), BATCH)
    ]
    return torch.cat(out) if out else torch.zeros(0, model.config.embed_dim)
