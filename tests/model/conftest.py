"""A very small RET-CLIP and random batches for it (built from config, no network)."""

from __future__ import annotations

import pytest
import torch

from retclip.model import RetClip, preset

VOCAB, LENGTH, SIZE = 64, 12, 32


TINY_PRESETS = ("tiny", "tiny-cnn")  # a ViT and a ResNet image tower


def tiny_model(seed: int = 0, name: str = "tiny", **overrides) -> RetClip:
    torch.manual_seed(seed)
    config = preset(
        name, vocab_size=VOCAB, context_length=LENGTH, image_size=SIZE, embed_dim=32, **overrides
    )
    return RetClip(config)


def random_batch(
    size: int, seed: int, missing_left: tuple[int, ...] = (), missing_right: tuple[int, ...] = ()
) -> dict[str, torch.Tensor]:
    """Images, presence and patient/left/right token ids; listed rows lack that eye."""
    g = torch.Generator().manual_seed(seed)
    has_left = torch.ones(size, dtype=torch.bool)
    has_right = torch.ones(size, dtype=torch.bool)
    has_left[list(missing_left)] = False
    has_right[list(missing_right)] = False
    lengths = torch.randint(3, LENGTH + 1, (size, 3, 1), generator=g)
    mask = (torch.arange(LENGTH) < lengths).long()
    return {
        "left": torch.randn(size, 3, SIZE, SIZE, generator=g),
        "right": torch.randn(size, 3, SIZE, SIZE, generator=g),
        "has_left": has_left,
        "has_right": has_right,
        "text_ids": torch.randint(1, VOCAB, (size, 3, LENGTH), generator=g) * mask,
        "text_mask": mask,
    }


@pytest.fixture(params=TINY_PRESETS)
def model(request) -> RetClip:
    return tiny_model(name=request.param)
