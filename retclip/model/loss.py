"""The tripartite loss ``λp·Lp + λl·Ll + λr·Lr``, each a symmetric InfoNCE (DESIGN.md section 1).

Across ranks it follows open_clip's local loss: every rank gathers all ranks' embeddings with
gradients, scores its own rows against every column, and uses rank-offset labels. Each rank's loss
is scaled so that the mean over ranks (what DDP's gradient averaging optimises) is exactly the loss
of one rank holding the concatenated batch. Patients without an eye are left out of that eye's term,
as rows and as columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.distributed._functional_collectives as funcol
import torch.nn.functional as F
from torch import Tensor, nn

from retclip.model.config import LEVELS
from retclip.model.retclip import RetClipOutput


def gather_features(tensors: list[Tensor], world_size: int) -> list[Tensor]:
    """Concatenate every rank's rows in rank order; gradients flow back to the rank of origin.

    PyTorch's functional all-gather is differentiable (its backward sums each rank's gradient
    into the rows' owner) and works on gloo as on NCCL; it replaces the deprecated
    ``torch.distributed.nn.functional.all_gather``.
    """
    if world_size == 1:
        return tensors
    return [funcol.all_gather_single(t, 0, dist.group.WORLD) for t in tensors]


@dataclass
class LossOutput:
    total: Tensor
    levels: dict[str, Tensor]  # patient, left, right: unweighted


class TripartiteLoss(nn.Module):
    def __init__(
        self,
        weights: dict[str, float] | None = None,
        rank: int = 0,
        world_size: int = 1,
    ):
        super().__init__()
        self.weights = weights or dict.fromkeys(LEVELS, 1.0)
        self.rank = rank
        self.world_size = world_size

    def forward(self, out: RetClipOutput) -> LossOutput:
        batch = out.has_left.shape[0]
        present = {
            "patient": torch.ones_like(out.has_left, dtype=torch.bool),
            "left": out.has_left.bool(),
            "right": out.has_right.bool(),
        }
        flat: list[Tensor] = []
        for level in LEVELS:
            flat += [out.images[level], out.texts[level], present[level].to(torch.uint8)]
        gathered = gather_features(flat, self.world_size)
        levels = {}
        for i, level in enumerate(LEVELS):
            images, texts, mask = gathered[3 * i : 3 * i + 3]
            levels[level] = self._info_nce(
                out.images[level],
                out.texts[level],
                present[level],
                images,
                texts,
                mask.bool(),
                out.logit_scales[level],
                batch,
            )
        total = sum(self.weights[level] * levels[level] for level in LEVELS)
        return LossOutput(total=total, levels=levels)

    def _info_nce(
        self,
        images: Tensor,
        texts: Tensor,
        mask: Tensor,
        all_images: Tensor,
        all_texts: Tensor,
        all_mask: Tensor,
        scale: Tensor,
        batch: int,
    ) -> Tensor:
        """``½[CE(s·V Tᵀ) + CE(s·T Vᵀ)]`` over the present rows, normalised by the global count."""
        # column of each local present row among all ranks' present rows
        columns = torch.cumsum(all_mask.long(), dim=0) - 1
        labels = columns[self.rank * batch : (self.rank + 1) * batch][mask]
        all_images, all_texts = all_images[all_mask], all_texts[all_mask]
        logits_per_image = scale * images[mask] @ all_texts.T
        logits_per_text = scale * texts[mask] @ all_images.T
        summed = F.cross_entropy(logits_per_image, labels, reduction="sum") + F.cross_entropy(
            logits_per_text, labels, reduction="sum"
        )
        count = all_mask.sum().clamp(min=1)
        return 0.5 * summed * self.world_size / count
