"""The tripartite loss against the single-process, single-batch result, in every branch."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from retclip.model import TripartiteLoss
from retclip.train.loop import forward_backward
from tests.model.conftest import random_batch, tiny_model

LEVELS = ("patient", "left", "right")


def clip_loss(images: torch.Tensor, texts: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    logits = scale * images @ texts.T
    labels = torch.arange(len(images))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def split(batch: dict[str, torch.Tensor], parts: int) -> list[dict[str, torch.Tensor]]:
    chunks = {k: v.chunk(parts) for k, v in batch.items()}
    return [{k: chunks[k][i] for k in batch} for i in range(parts)]


def gradients(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def assert_same_gradients(actual: dict, expected: dict) -> None:
    """Equal up to float rounding, measured against each tensor's largest entry."""
    assert actual.keys() == expected.keys()
    for name, grad in expected.items():
        error = (actual[name] - grad).abs().max().item()
        assert error <= 1e-5 * grad.abs().max().item() + 1e-6, f"{name}: off by {error}"


def test_every_eye_present_gives_the_plain_clip_loss(model):
    out = model(**random_batch(5, seed=1))
    losses = TripartiteLoss({"patient": 1.0, "left": 0.5, "right": 2.0})(out)
    expected = {
        level: clip_loss(out.images[level], out.texts[level], out.logit_scales[level])
        for level in LEVELS
    }
    for level in LEVELS:
        torch.testing.assert_close(losses.levels[level], expected[level])
    total = expected["patient"] + 0.5 * expected["left"] + 2.0 * expected["right"]
    torch.testing.assert_close(losses.total, total)


def test_one_eye_patients_are_left_out_of_the_eye_term_they_lack(model):
    out = model(**random_batch(6, seed=2, missing_left=(1, 4), missing_right=(0,)))
    losses = TripartiteLoss()(out)
    keep_left, keep_right = torch.tensor([0, 2, 3, 5]), torch.tensor([1, 2, 3, 4, 5])
    for level, rows in (("left", keep_left), ("right", keep_right)):
        expected = clip_loss(
            out.images[level][rows], out.texts[level][rows], out.logit_scales[level]
        )
        torch.testing.assert_close(losses.levels[level], expected)
    expected = clip_loss(out.images["patient"], out.texts["patient"], out.logit_scales["patient"])
    torch.testing.assert_close(losses.levels["patient"], expected)


def test_a_batch_without_any_left_eye_has_a_zero_left_term(model):
    out = model(**random_batch(3, seed=3, missing_left=(0, 1, 2)))
    losses = TripartiteLoss()(out)
    assert losses.levels["left"].item() == 0.0
    losses.total.backward()
    assert model.logit_scale_left.grad.item() == 0.0


def test_accumulation_equals_the_big_batch():
    batch = random_batch(9, seed=4, missing_left=(2,), missing_right=(7, 8))
    results = []
    for parts in (1, 3):
        model = tiny_model()
        losses = forward_backward(model, TripartiteLoss(), split(batch, parts))
        results.append((losses, gradients(model)))
    (big, big_grads), (acc, acc_grads) = results
    torch.testing.assert_close(acc.total, big.total)
    for level in LEVELS:
        torch.testing.assert_close(acc.levels[level], big.levels[level])
    assert_same_gradients(acc_grads, big_grads)


# rows of the global batch: rank 1 holds no left eye at all, rank 0 one patient without a right eye
GLOBAL = {"size": 8, "seed": 5, "missing_left": (4, 5, 6, 7), "missing_right": (1,)}


def _rank(rank: int, world: int, init: str, out: str) -> None:
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
    local = split(random_batch(**GLOBAL), world)[rank]
    for accum in (1, 2):
        model = tiny_model()
        ddp = DistributedDataParallel(model, forward_sync_buffers=False)
        loss_fn = TripartiteLoss(rank=rank, world_size=world)
        losses = forward_backward(ddp, loss_fn, split(local, accum))
        values = torch.stack([losses.total.detach(), *losses.levels.values()]).detach()
        dist.all_reduce(values)
        torch.save(
            {"loss": values / world, "grads": gradients(model)},
            Path(out) / f"rank{rank}-accum{accum}.pt",
        )
    dist.destroy_process_group()


def test_two_ranks_equal_one_rank_on_the_concatenated_batch(tmp_path):
    mp.spawn(_rank, args=(2, f"file://{tmp_path / 'init'}", str(tmp_path)), nprocs=2, join=True)
    model = tiny_model()
    losses = TripartiteLoss()(model(**random_batch(**GLOBAL)))
    losses.total.backward()
    expected = torch.stack([losses.total.detach(), *losses.levels.values()]).detach()
    reference = gradients(model)
    for rank in (0, 1):
        for accum in (1, 2):
            result = torch.load(tmp_path / f"rank{rank}-accum{accum}.pt")
            torch.testing.assert_close(result["loss"], expected)
            assert_same_gradients(result["grads"], reference)
