"""The ``[CLS]`` states of a locked text tower, computed once per distinct text.

A locked tower (LiT; ``pretrain.lock_text``) gives a text the same state at every step, so
contrastive training need not run it on every batch: the training texts are encoded once, in a
fixed order and fixed batches (so a resumed run gets the same bits), and each step looks its
texts up. On the demo the tower's forward pass was a quarter of the step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

BATCH = 256  # texts per forward pass of the tower while filling the table

# (token ids [N, L], attention mask [N, L]) -> [CLS] states [N, H]
TowerCls = Callable[[Tensor, Tensor], Tensor]


class LockedTextStates:
    """A table from each text's token ids (its padding left out) to its ``[CLS]`` state."""

    def __init__(self, tower_cls: TowerCls, token_ids: Tensor, attention_mask: Tensor):
        rows: dict[bytes, int] = {}
        first: list[int] = []  # where each distinct text first occurs in token_ids
        for index, key in enumerate(_keys(token_ids, attention_mask)):
            if key not in rows:
                rows[key] = len(first)
                first.append(index)
        picked = torch.tensor(first, dtype=torch.long, device=token_ids.device)
        with torch.no_grad():
            states = [
                tower_cls(token_ids[chunk], attention_mask[chunk]) for chunk in picked.split(BATCH)
            ]
        self._rows = rows
        self.states = torch.cat(states) if states else torch.zeros(0)

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, token_ids: Tensor, attention_mask: Tensor) -> Tensor | None:
        """The states of ``token_ids``'s texts, or ``None`` when any of them is not in the table."""
        rows = [self._rows.get(key) for key in _keys(token_ids, attention_mask)]
        if any(row is None for row in rows):
            return None
        return self.states[torch.tensor(rows, dtype=torch.long, device=self.states.device)]


def _keys(token_ids: Tensor, attention_mask: Tensor) -> list[bytes]:
    """Each text's attended token ids as bytes: the same text whatever its padding."""
    ids = token_ids.detach().cpu().numpy().astype(np.int64, copy=False)
    lengths = attention_mask.detach().cpu().numpy().sum(axis=1)
    return [row[:length].tobytes() for row, length in zip(ids, lengths, strict=True)]
