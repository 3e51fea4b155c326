"""Stand-ins for the released RET-CLIP checkpoint, built from its published key list.

The weights are not available, so tests use random tensors with the listed keys, shapes and
dtypes: full size, or shrunk (fewer layers, smaller widths) with the very same key structure.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import torch

from tests.conftest import REPO

REFERENCE = REPO.parent / "shared" / "reference"
KEYS_FILE = REFERENCE / "retclip_reference_keys.json"
VOCAB_FILE = REFERENCE / "bert_chinese_vocab.txt"
Entry = tuple[str, list[int], str]  # key, shape, dtype

# the shrunk model: width/hidden 128 (2 heads of 64), 2 layers, 32 px in 8 px patches, embed 32
SMALL_LAYERS = 2
SMALL_IMAGE = 32
_SMALL_DIMS = {
    "visual.": {768: 128, 2304: 384, 3072: 512, 197: 17, 16: 8, 512: 32},
    "bert.": {768: 128, 3072: 256, 512: 64},
    "": {768: 128, 512: 32, 1024: 64},
}
_BLOCK = re.compile(r"\.(?:resblocks|layer)\.(\d+)\.")


def reference_entries() -> list[Entry]:
    """Every tensor of the released checkpoint, exactly as listed (keys keep ``module.``)."""
    listed = json.loads(KEYS_FILE.read_text(encoding="utf-8"))["keys"]
    return [(e["key"], e["shape"], e["dtype"]) for e in listed]


def shrink(entries: list[Entry]) -> list[Entry]:
    """The same keys for the small model: blocks past ``SMALL_LAYERS`` dropped, sizes mapped."""
    small = []
    for key, shape, dtype in entries:
        block = _BLOCK.search(key)
        if block and int(block.group(1)) >= SMALL_LAYERS:
            continue
        name = key.removeprefix("module.")
        dims = next(d for start, d in _SMALL_DIMS.items() if name.startswith(start))
        small.append((key, [dims.get(n, n) for n in shape], dtype))
    return small


def random_state(entries: list[Entry], seed: int = 0) -> dict[str, torch.Tensor]:
    """Random weights that keep activations near unit size, so that every operation of the
    forward pass shows in the output: matrices with std fan_in^-0.5, vectors with std 0.1,
    norm weights near 1, logit scales near ln 90."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for key, shape, dtype in entries:
        std = math.prod(shape[1:]) ** -0.5 if len(shape) > 1 else 0.1
        value = torch.randn(shape, generator=g) * std
        if "logit_scale" in key:
            value = math.log(90.0) + value / 10
        elif re.search(r"(ln_\w+|LayerNorm)\.weight$", key):
            value += 1.0
        state[key] = value.to(getattr(torch, dtype))
    return state


def save(state: dict[str, torch.Tensor], path: Path) -> Path:
    torch.save(state, path)
    return path
