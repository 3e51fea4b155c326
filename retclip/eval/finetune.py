"""Full fine-tuning: the image tower and a linear head trained on the task, end to end.

The backbone and the head get separate learning rates (the backbone already knows fundus images;
the head starts from zero). The epoch kept is the one with the best validation AUROC, never a
test figure. The same loop trains the supervised baseline from a freshly initialised tower.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from retclip.eval.dataset import TaskKind
from retclip.eval.images import TaskImages
from retclip.eval.metrics import score_one
from retclip.eval.splits import Split
from retclip.model.retclip import RetClip

BATCH = 32


@dataclass(frozen=True)
class FineTuneSettings:
    epochs: int
    lr_backbone: float
    lr_head: float
    weight_decay: float = 0.05


class Classifier(nn.Module):
    """The RET-CLIP image tower (both eyes for a patient task) under a linear head."""

    def __init__(self, model: RetClip, outputs: int, patient: bool):
        super().__init__()
        self.visual = model.visual
        self.missing_eye = model.missing_eye
        self.patient = patient
        width = model.config.embed_dim * (2 if patient else 1)
        self.head = nn.Linear(width, outputs)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, left, right, has_left, has_right) -> torch.Tensor:
        if not self.patient:
            return self.head(self.visual(torch.where(has_right[:, None, None, None], right, left)))
        features = []
        for images, present, row in ((left, has_left, 0), (right, has_right, 1)):
            f = self.visual(images)
            features.append(torch.where(present[:, None], f, self.missing_eye[row].expand_as(f)))
        return self.head(torch.cat(features, dim=1))


def finetune(
    model: RetClip,
    images: TaskImages,
    labels: np.ndarray,
    split: Split,
    kind: TaskKind,
    classes: int,
    settings: FineTuneSettings,
    seed: int,
    progress: bool = True,
) -> tuple[np.ndarray, dict[str, float]]:
    """Test probabilities of the best validation epoch, and that epoch with its val AUROC."""
    torch.manual_seed(seed)
    net = Classifier(copy.deepcopy(model), classes, patient=images.sides[0] == "patient")
    head = [p for n, p in net.named_parameters() if n.startswith("head.")]
    backbone = [p for n, p in net.named_parameters() if not n.startswith("head.")]
    optimiser = torch.optim.AdamW(
        [
            {"params": backbone, "lr": settings.lr_backbone},
            {"params": head, "lr": settings.lr_head},
        ],
        weight_decay=settings.weight_decay,
    )
    target = torch.from_numpy(labels)
    rng = np.random.default_rng(seed)
    best = (-np.inf, 0, copy.deepcopy(net.state_dict()))
    bar = tqdm(range(settings.epochs), desc="fine-tune", unit="epoch", disable=not progress)
    for epoch in bar:
        net.train()
        order = rng.permutation(split.train)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            loss = _loss(kind, net(*_batch(images, rows)), target[rows])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
        value = score_one(kind, labels[split.val], _predict(net, images, split.val, kind), "auroc")
        if not np.isnan(value) and value > best[0]:
            best = (value, epoch + 1, copy.deepcopy(net.state_dict()))
    net.load_state_dict(best[2])
    return _predict(net, images, split.test, kind), {"epoch": best[1], "val_auroc": best[0]}


def _batch(images: TaskImages, rows: np.ndarray) -> tuple[torch.Tensor, ...]:
    return (
        torch.from_numpy(images.left[rows]),
        torch.from_numpy(images.right[rows]),
        torch.from_numpy(images.has_left[rows]),
        torch.from_numpy(images.has_right[rows]),
    )


def _loss(kind: TaskKind, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if kind == "multilabel":
        return F.binary_cross_entropy_with_logits(logits, target.float())
    return F.cross_entropy(logits, target)


@torch.no_grad()
def _predict(net: Classifier, images: TaskImages, rows: np.ndarray, kind: TaskKind) -> np.ndarray:
    net.eval()
    out = []
    for start in range(0, len(rows), BATCH):
        logits = net(*_batch(images, rows[start : start + BATCH])).float()
        out.append(torch.sigmoid(logits) if kind == "multilabel" else logits.softmax(-1))
    return torch.cat(out).numpy()
