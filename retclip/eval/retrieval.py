"""Image-report retrieval on held-out patients: recall at 1, 5 and 10 in both directions.

Each patient's raw report is cleaned exactly as pre-training cleaned it (PHI scrubbed, sections
split), then the patient embedding is matched with the patient texts and each eye with its
side's text, the three levels the tripartite loss aligns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from retclip.config import CleanReportsParams
from retclip.eval.embed import text_embeddings
from retclip.model.retclip import RetClip
from retclip.text.clean import clean_batch

KS = (1, 5, 10)
LEVEL_TEXT = {"patient": "patient_text", "left": "left_text", "right": "right_text"}


def clean_texts(reports: list[str], params: CleanReportsParams) -> dict[str, list[str]]:
    """Level -> the cleaned text of every report (empty where a report gives nothing)."""
    cleaned = clean_batch(reports, params)
    return {
        level: [getattr(c, field) or "" for c in cleaned] for level, field in LEVEL_TEXT.items()
    }


def recall_at_k(image: torch.Tensor, text: torch.Tensor) -> dict[str, float]:
    """Row i of each is one pair; R@K of image->text and text->image (ties count against)."""
    similarity = image @ text.T
    result = {}
    for name, sims in (("image_to_text", similarity), ("text_to_image", similarity.T)):
        true = sims.diagonal()[:, None]
        rank = (sims > true).sum(1)  # how many candidates beat the true partner
        for k in KS:
            result[f"{name}_r@{k}"] = float((rank < k).float().mean())
    return result


def retrieval(
    model: RetClip,
    tokenizer_dir: Path,
    embeddings: dict[str, np.ndarray],
    texts: dict[str, list[str]],
) -> dict[str, dict[str, float]]:
    """Per level, recall at K among the pairs that have both an image and a non-empty text.

    ``embeddings`` holds each level's image embeddings, ``texts`` the aligned texts.
    """
    out = {}
    for level, image in embeddings.items():
        keep = np.asarray([bool(t.strip()) for t in texts[level]])
        keep &= ~np.isnan(image).any(1)
        if keep.sum() < max(KS):
            continue
        text = text_embeddings(model, tokenizer_dir, list(np.asarray(texts[level])[keep]), level)
        result = recall_at_k(torch.from_numpy(image[keep]), text)
        out[level] = {"pairs": int(keep.sum()), **result}
    return out
