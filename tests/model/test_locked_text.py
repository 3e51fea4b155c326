"""A locked text tower's states, looked up per text, give the embeddings and gradients of the
tower run on every batch."""

from __future__ import annotations

import torch

from retclip.model import RetClip
from retclip.model.locked_text import LockedTextStates
from retclip.model.loss import TripartiteLoss
from tests.model.conftest import LENGTH, random_batch, tiny_model

TERMS = {"patient": 1.0, "left": 1.0, "right": 1.0}


def locked(model: RetClip, batch: dict[str, torch.Tensor]) -> RetClip:
    """``model`` locked on ``batch``'s texts, each listed twice (the table keeps it once)."""
    ids, mask = batch["text_ids"].reshape(-1, LENGTH), batch["text_mask"].reshape(-1, LENGTH)
    model.lock_text_tower(torch.cat([ids, ids]), torch.cat([mask, mask]))
    return model


def step_gradients(model: RetClip, batch: dict[str, torch.Tensor]) -> tuple[float, dict]:
    model.zero_grad(set_to_none=True)
    loss = TripartiteLoss(TERMS)(model(**batch)).total
    loss.backward()
    return loss.item(), {n: p.grad for n, p in model.named_parameters() if p.grad is not None}


def test_a_locked_tower_trains_as_the_frozen_tower_run_on_every_batch():
    batch = random_batch(6, seed=3, missing_left=(1,))
    frozen = tiny_model(seed=1).train()
    frozen.bert.requires_grad_(False)
    table = locked(tiny_model(seed=1), batch).train()
    assert not table.bert.training and table.visual.training  # inference mode stays on
    assert len(table._locked_text) <= 18  # each distinct text once
    table.bert.forward = None  # a step must not run the tower: the table answers
    loss, expected = step_gradients(frozen, batch)
    locked_loss, actual = step_gradients(table, batch)
    assert abs(locked_loss - loss) <= 1e-6 * abs(loss)
    assert actual.keys() == expected.keys() and not any(n.startswith("bert.") for n in actual)
    for name, grad in expected.items():
        # the table's states come from another batch shape, so the matrix products round
        # otherwise: equal to float32's rounding at the gradient's own scale
        scale = grad.abs().max().item()
        atol = 1e-6 * max(scale, 1.0)
        torch.testing.assert_close(actual[name], grad, rtol=1e-5, atol=atol, msg=name)


def test_a_text_outside_the_table_goes_through_the_locked_tower_without_gradients():
    seen, unseen = random_batch(4, seed=5), random_batch(4, seed=6)
    model = locked(tiny_model(seed=2), seen).eval()
    reference = tiny_model(seed=2).eval()
    ids, mask = unseen["text_ids"][:, 0], unseen["text_mask"][:, 0]
    assert model._locked_text.lookup(ids, mask) is None
    with torch.enable_grad():
        out = model.encode_text(ids, mask, "patient")
    torch.testing.assert_close(out, reference.encode_text(ids, mask, "patient"))
    out.sum().backward()
    assert all(p.grad is None for p in model.bert.parameters())
    assert all(p.grad is not None for p in model.text_projection.parameters())


def test_the_table_keys_a_text_without_its_padding_and_is_not_saved(tmp_path):
    batch = random_batch(3, seed=8)
    ids, mask = batch["text_ids"][:, 0], batch["text_mask"][:, 0]
    model = tiny_model(seed=4).eval()
    table = LockedTextStates(model._tower_cls, ids, mask)
    wider = torch.cat([ids, torch.zeros(3, 4, dtype=torch.long)], dim=1)
    wider_mask = torch.cat([mask, torch.zeros(3, 4, dtype=torch.long)], dim=1)
    torch.testing.assert_close(table.lookup(wider, wider_mask), table.states)
    torch.testing.assert_close(table.states, model._tower_cls(ids, mask))
    before = set(model.state_dict())
    model.lock_text_tower(ids, mask)
    assert set(model.state_dict()) == before
