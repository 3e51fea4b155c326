"""The batched text encoding: each distinct text through the tower once, trimmed to the longest
text, its last layer computing [CLS] alone, gives the embeddings and gradients of the plain pass
per level at full context length."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from retclip.model import RetClip
from retclip.model.config import LEVELS
from retclip.model.retclip import _distinct_rows, _reads_class_state
from tests.model.conftest import LENGTH, random_batch, tiny_model


def with_duplicates(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Patient 0: one text for all three levels (no laterality); 1: both eyes share a text;
    2: distinct texts; 3: patient 0's texts again (duplicates across patients). No text fills
    the context, so trimming has columns to cut."""
    ids, mask = batch["text_ids"].clone(), batch["text_mask"].clone()
    mask[:, :, LENGTH - 2 :] = 0
    ids *= mask
    ids[0, 1:], mask[0, 1:] = ids[0, 0], mask[0, 0]
    ids[1, 2], mask[1, 2] = ids[1, 1], mask[1, 1]
    ids[3], mask[3] = ids[0], mask[0]
    return {**batch, "text_ids": ids, "text_mask": mask}


def plain_texts(model: RetClip, ids: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """The three-pass encoding: one tower pass per level over every text, at full length."""
    heads = {"patient": model.text_projection, "left": model.text_projection_left}
    heads["right"] = model.text_projection_right
    out = {}
    for i, level in enumerate(LEVELS):
        cls = model.bert(input_ids=ids[:, i], attention_mask=mask[:, i]).last_hidden_state[:, 0]
        out[level] = F.normalize(heads[level](cls), dim=-1)
    return out


def text_gradients(model: RetClip, texts: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    model.zero_grad(set_to_none=True)
    weights = torch.Generator().manual_seed(7)
    loss = sum((t * torch.randn(t.shape, generator=weights)).sum() for t in texts.values())
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def assert_same_gradients(actual: dict, expected: dict, relative: float) -> None:
    """Equal up to float rounding, measured against each tensor's largest entry (or 0.01: the
    key biases' true gradient is zero, softmax ignoring a shift, so theirs is rounding alone)."""
    assert actual.keys() == expected.keys()
    assert any(name.startswith("bert.") for name in expected)
    for name, grad in expected.items():
        error = (actual[name] - grad).abs().max().item()
        assert error <= relative * max(grad.abs().max().item(), 0.01), f"{name}: off by {error}"


def test_distinct_batched_encoding_equals_the_three_pass_encoding():
    model = tiny_model().train()
    batch = with_duplicates(random_batch(4, seed=11))
    plain = plain_texts(model, batch["text_ids"], batch["text_mask"])
    expected = text_gradients(model, plain)
    texts = model(**batch).texts
    actual = text_gradients(model, texts)
    for level in LEVELS:
        torch.testing.assert_close(texts[level], plain[level], rtol=1e-6, atol=1e-6)
    assert_same_gradients(actual, expected, 1e-5)


def test_in_float64_the_tower_states_and_gradients_agree_to_rounding():
    """The tower alone in float64 (the model casts embeddings to float32 before normalising):
    what differs is only the order of additions, so the gap is at float64's rounding."""
    model = tiny_model().double().train()
    batch = with_duplicates(random_batch(4, seed=11))
    ids = batch["text_ids"].transpose(0, 1).reshape(12, LENGTH)
    mask = batch["text_mask"].transpose(0, 1).reshape(12, LENGTH)
    plain = {"cls": model.bert(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]}
    expected = text_gradients(model, plain)
    batched = {"cls": model._distinct_cls(ids, mask)}
    actual = text_gradients(model, batched)
    torch.testing.assert_close(batched["cls"], plain["cls"], rtol=1e-13, atol=1e-13)
    assert_same_gradients(actual, expected, 1e-13)


def test_each_distinct_text_goes_through_the_tower_once_at_the_longest_length():
    model = tiny_model().eval()
    batch = with_duplicates(random_batch(4, seed=11))
    seen = []
    model.bert.embeddings.register_forward_pre_hook(
        lambda _, args, kwargs: seen.append(kwargs["input_ids"]), with_kwargs=True
    )
    with torch.no_grad():
        model(**batch)
    (ids,) = seen
    longest = int(batch["text_mask"].sum(-1).max())
    # patient 0: 1 text; 1: 2; 2: 3; 3: patient 0's again
    assert ids.shape == (1 + 2 + 3, longest) and longest < LENGTH


def test_a_batch_without_duplicates_keeps_its_order_and_its_texts():
    rows = torch.tensor([[3, 1], [0, 2], [3, 1], [9, 9], [0, 2], [3, 1]])
    first, inverse = _distinct_rows(rows)
    assert first.tolist() == [0, 1, 3]  # first occurrences, in order of appearance
    assert inverse.tolist() == [0, 1, 0, 2, 1, 0]
    assert torch.equal(rows[first][inverse], rows)
    distinct = torch.tensor([[5, 0], [1, 1], [0, 7]])
    first, inverse = _distinct_rows(distinct)
    assert first.tolist() == inverse.tolist() == [0, 1, 2]


def test_the_batched_encoding_equals_encode_text_per_level(model):
    model.eval()
    batch = with_duplicates(random_batch(4, seed=12))
    with torch.no_grad():
        out = model(**batch)
        for i, level in enumerate(LEVELS):
            alone = model.encode_text(batch["text_ids"][:, i], batch["text_mask"][:, i], level)
            torch.testing.assert_close(out.texts[level], alone, rtol=1e-5, atol=1e-6)


def padded_texts(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Eight texts of lengths 1 to the full context (two of them full), padded with id 0."""
    lengths = torch.tensor([1, 2, 3, 5, 7, LENGTH - 1, LENGTH, LENGTH])[:, None]
    mask = (torch.arange(LENGTH) < lengths).long()
    ids = torch.randint(1, 64, mask.shape, generator=torch.Generator().manual_seed(seed))
    return ids * mask, mask


def full_cls(model: RetClip, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return model.bert(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]


PRECISIONS = [(torch.float32, 1e-6), (torch.float64, 1e-13)]  # dtype, tolerance of the states


@pytest.mark.parametrize(("dtype", "tolerance"), PRECISIONS)
@pytest.mark.parametrize("attention", ["sdpa", "eager"])
@pytest.mark.parametrize("padded", [True, False])
def test_the_class_token_last_layer_gives_the_full_towers_cls_states(
    dtype, tolerance, attention, padded
):
    """The last layer's [CLS]-only pass against the whole tower at full context length; not
    bitwise (a one-query attention sums in another order), but within a float32 rounding or
    two (measured: 3.6e-7 on states of size 3), and float64's rounding in float64."""
    model = tiny_model().to(dtype).eval()
    model.bert.config._attn_implementation = attention
    assert _reads_class_state(model.bert)
    ids, mask = padded_texts(seed=21)
    if not padded:
        mask = torch.ones_like(mask)  # no mask at all: create_bidirectional_mask gives None
    calls = []
    model.bert.encoder.layer[-1].register_forward_pre_hook(lambda *_: calls.append(1))
    with torch.no_grad():
        ours = model._tower_cls(ids, mask)
        assert not calls  # the last layer's own forward is not run
        whole = full_cls(model, ids, mask)
    torch.testing.assert_close(ours, whole, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize(("dtype", "relative"), [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("checkpointing", [False, True])
def test_the_class_token_last_layer_gives_the_full_towers_gradients(dtype, relative, checkpointing):
    """Without dropout, every BERT parameter gets a gradient through both passes (the last
    layer has none that [CLS] alone leaves unused), and the same one up to rounding."""
    model = tiny_model().to(dtype).train()
    assert model.config.text.dropout == 0.0
    model.set_grad_checkpointing(checkpointing)
    ids, mask = padded_texts(seed=22)
    results = []
    for encode in (full_cls, RetClip._tower_cls):
        grads = text_gradients(model, {"cls": encode(model, ids, mask)})
        bert = {n: g for n, g in grads.items() if n.startswith("bert.")}
        assert bert.keys() == {f"bert.{n}" for n, _ in model.bert.named_parameters()}
        results.append(bert)
    expected, actual = results
    assert_same_gradients(actual, expected, relative)


def test_other_text_towers_take_the_whole_pass():
    model = tiny_model()
    model.bert.config._attn_implementation = "flex_attention"
    assert not _reads_class_state(model.bert)
    model.bert.config._attn_implementation = "sdpa"
    model.bert.config.is_decoder = True
    assert not _reads_class_state(model.bert)
    assert not _reads_class_state(model.visual)
