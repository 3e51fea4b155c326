"""Checking a state dict against a model before loading it, with an error a person can act on."""

from __future__ import annotations

import torch
from torch import nn

SHOWN = 20  # keys listed per kind of mismatch; the count says how many there are in all


class WeightsMismatchError(ValueError):
    """The weights were saved from another configuration; the message lists the keys."""


def check_state_dict(model: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Raise :class:`WeightsMismatchError` naming missing, unexpected and reshaped keys."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    reshaped = [
        f"{key}: saved {list(state[key].shape)}, model {list(expected[key].shape)}"
        for key in sorted(set(state) & set(expected))
        if state[key].shape != expected[key].shape
    ]
    if not (missing or unexpected or reshaped):
        return
    lines = [f"{source} does not fit this model (saved from another configuration?):"]
    for title, keys in (("missing", missing), ("unexpected", unexpected), ("shape", reshaped)):
        if keys:
            more = f" (first {SHOWN})" if len(keys) > SHOWN else ""
            lines.append(f"  {title} keys: {len(keys)}{more}")
            lines.extend(f"    {key}" for key in keys[:SHOWN])
    raise WeightsMismatchError("\n".join(lines))
