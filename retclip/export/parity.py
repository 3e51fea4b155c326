"""onnxruntime against PyTorch on the same inputs: the export is trusted only within tolerance.

Image batches mix patients with both eyes, only a left eye and only a right eye, so the
missing-eye path is checked too; texts have random lengths. Figures are the largest absolute
difference per output and batch size, rounded to three significant digits. Both runtimes run on
one thread while measuring: rounding depends on how a product is split across threads, and the
figures (in ``parity.json`` and the model card) must be the same bytes on any core count.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from retclip.export.runtime import ImageRunner, TextRunner, pack_eyes
from retclip.model import RetClip

Figures = dict[str, dict[str, dict[str, float]]]  # graph -> batch size -> output -> max |diff|


class ParityError(ValueError):
    """onnxruntime and PyTorch disagree by more than the tolerance; names graph, batch, output."""


def image_inputs(batch: int, size: int, seed: int) -> dict[str, np.ndarray]:
    """Random model inputs; row ``i`` has both eyes (i % 3 == 0), only the left (1) or the right
    (2) eye, so every batch above one holds one-eye patients."""
    rng = np.random.default_rng(seed)
    kind = np.arange(batch) % 3
    return {
        "left": rng.standard_normal((batch, 3, size, size), dtype=np.float32),
        "right": rng.standard_normal((batch, 3, size, size), dtype=np.float32),
        "has_left": kind != 2,
        "has_right": kind != 1,
    }


def text_inputs(batch: int, length: int, vocab: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random ids below ``vocab``, zero-padded after a random length (the first row is full)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, length + 1, batch)
    lengths[0] = length
    mask = (np.arange(length)[None, :] < lengths[:, None]).astype(np.int64)
    return rng.integers(1, vocab, (batch, length)) * mask, mask


def measure(
    model: RetClip, graphs: dict[str, Path], batch_sizes: Sequence[int], seed: int = 0
) -> Figures:
    """Largest absolute difference per graph, batch size and output."""
    image, text = ImageRunner(graphs["image"], threads=1), TextRunner(graphs["text"], threads=1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _measure(model, image, text, batch_sizes, seed)
    finally:
        torch.set_num_threads(threads)


def _measure(
    model: RetClip, image: ImageRunner, text: TextRunner, batch_sizes: Sequence[int], seed: int
) -> Figures:
    config = model.config
    figures: Figures = {"image": {}, "text": {}}
    for batch in batch_sizes:
        eyes = image_inputs(batch, config.image.image_size, seed + batch)
        ours = image(*pack_eyes(**eyes))
        theirs = _torch_images(model, **eyes)
        present = {"left": eyes["has_left"], "right": eyes["has_right"]}
        figures["image"][str(batch)] = {
            level: _max_diff(ours[level][present.get(level, slice(None))], expected)
            for level, expected in theirs.items()
        }
        ids, mask = text_inputs(batch, config.context_length, config.text.vocab_size, seed + batch)
        ours = text(ids, mask)
        with torch.no_grad():
            figures["text"][str(batch)] = {
                level: _max_diff(
                    ours[level],
                    model.encode_text(torch.from_numpy(ids), torch.from_numpy(mask), level).numpy(),
                )
                for level in ours
            }
    return figures


def largest(figures: Figures) -> float:
    return max(
        v for batches in figures.values() for outputs in batches.values() for v in outputs.values()
    )


def enforce(figures: Figures, atol: float, what: str) -> None:
    """Raise :class:`ParityError` listing every output above ``atol``."""
    over = [
        f"{graph} graph, batch {batch}, output {output}: {value:.3g}"
        for graph, batches in figures.items()
        for batch, outputs in batches.items()
        for output, value in outputs.items()
        if not value <= atol  # NaN fails too
    ]
    if over:
        raise ParityError(
            f"{what}: onnxruntime differs from PyTorch by more than {atol:g} at " + "; ".join(over)
        )


def _torch_images(
    model: RetClip,
    left: np.ndarray,
    right: np.ndarray,
    has_left: np.ndarray,
    has_right: np.ndarray,
) -> dict[str, np.ndarray]:
    """The model's own encoders: eye levels on the present eyes only, patient on every row."""
    left_t, right_t = torch.from_numpy(left), torch.from_numpy(right)
    has_l, has_r = torch.from_numpy(has_left), torch.from_numpy(has_right)
    with torch.no_grad():
        return {
            "left": model.encode_eye(left_t[has_l], "left").numpy(),
            "right": model.encode_eye(right_t[has_r], "right").numpy(),
            "patient": model.encode_patient(left_t, right_t, has_l, has_r).numpy(),
        }


def _max_diff(actual: np.ndarray, expected: np.ndarray) -> float:
    if actual.shape != expected.shape:
        raise ParityError(f"output shape {actual.shape} is not PyTorch's {expected.shape}")
    return float(f"{float(np.abs(actual - expected).max(initial=0.0)):.3g}")
