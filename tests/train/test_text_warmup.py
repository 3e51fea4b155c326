"""The text tower's masked-LM warm-up: BERT's corruption, learning, exact repetition, and a
cache that computes it once for any number of runs."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from retclip.model import preset
from retclip.model.encoders import build_text_tower
from retclip.train.data import TEXT_COLUMNS
from retclip.train.text_warmup import (
    IGNORE,
    _mask_tokens,
    warm_up_key,
    warm_up_text_tower,
    warm_up_text_tower_once,
)
from tests.train.conftest import Clinic

MASK_ID = 3  # the stand-in vocabulary has no [MASK]; any id the texts do not use will do


def test_only_word_tokens_are_corrupted_in_bert_s_proportions():
    lengths = torch.randint(4, 40, (4000, 1), generator=torch.Generator().manual_seed(0))
    position = torch.arange(40).expand(4000, 40)
    mask = (position < lengths).long()
    ids = torch.where(position == 0, 1, torch.randint(10, 500, (4000, 40))) * mask
    ids[position == lengths - 1] = 2  # [SEP]
    inputs, labels = _mask_tokens(ids, mask, 7, torch.Generator().manual_seed(1))
    words = (position > 0) & (position < lengths - 1)
    picked = labels != IGNORE
    assert not (picked & ~words).any()  # never [CLS], [SEP] or padding
    assert torch.equal(labels[picked], ids[picked])
    assert torch.equal(inputs[~picked], ids[~picked])
    assert abs(picked.sum() / words.sum() - 0.15) < 0.01
    masked = (inputs[picked] == 7).float().mean()
    kept = (inputs[picked] == ids[picked]).float().mean()
    assert abs(masked - 0.8) < 0.02 and abs(kept - 0.1) < 0.02
    assert (inputs[picked] >= 10).logical_or(inputs[picked] == 7).all()  # swaps are words


def _fresh_tower(clinic: Clinic) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_text_tower(preset("tiny", vocab_size=clinic.encoder.vocab_size).text)


def _warm_up(clinic: Clinic, steps: int) -> tuple[torch.nn.Module, list[float]]:
    bert = _fresh_tower(clinic)
    texts = [t for c in TEXT_COLUMNS for t in clinic.train_reports[c]]
    losses = warm_up_text_tower(bert, texts, clinic.encoder, MASK_ID, steps, 1e-3, 0, False)
    return bert, losses


def test_the_warm_up_learns_the_reports_and_repeats_exactly(clinic):
    bert, losses = _warm_up(clinic, 60)
    again, losses_again = _warm_up(clinic, 60)
    assert len(losses) == 60 and losses == losses_again
    assert all(
        torch.equal(a, b) for a, b in zip(bert.parameters(), again.parameters(), strict=True)
    )
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    untouched = _fresh_tower(clinic)
    changed = [
        not torch.equal(a, b)
        for a, b in zip(bert.parameters(), untouched.parameters(), strict=True)
    ]
    assert all(changed)  # the word embeddings too: the MLM decoder is tied to them


def test_a_non_finite_loss_stops_the_warm_up_with_its_step(clinic):
    bert = _fresh_tower(clinic)
    texts = list(clinic.train_reports["patient_text"])
    with pytest.raises(FloatingPointError, match="masked-LM loss is nan at step 2 of 5"):
        warm_up_text_tower(bert, texts, clinic.encoder, MASK_ID, 5, float("inf"), 0, False)


def _texts(clinic: Clinic) -> list[str]:
    return [t for c in TEXT_COLUMNS for t in clinic.train_reports[c]]


def test_a_cached_tower_is_the_computed_one_bit_for_bit_and_computed_once(clinic, tmp_path):
    direct = _fresh_tower(clinic)
    before = torch.get_rng_state()
    losses = warm_up_text_tower(direct, _texts(clinic), clinic.encoder, MASK_ID, 8, 1e-3, 0, False)
    assert torch.equal(torch.get_rng_state(), before)  # the caller's random state is kept
    towers, logs = [_fresh_tower(clinic) for _ in range(3)], [[], [], []]
    results: list[list[float]] = [[], [], []]

    def warm(i: int) -> None:
        results[i] = warm_up_text_tower_once(
            towers[i],
            _texts(clinic),
            clinic.encoder,
            MASK_ID,
            8,
            1e-3,
            0,
            tmp_path,
            progress=False,
            log=logs[i].append,
        )

    threads = [threading.Thread(target=warm, args=(i,)) for i in range(2)]  # concurrent runs
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    warm(2)  # a later run
    assert results == [losses] * 3
    reused = [any("reused" in line for line in lines) for lines in logs]
    assert sorted(reused) == [False, True, True]  # one computed it, two loaded it
    for tower in towers:
        assert all(
            torch.equal(a, b)
            for a, b in zip(direct.state_dict().values(), tower.state_dict().values(), strict=True)
        )
    assert torch.equal(torch.get_rng_state(), before)


def test_the_cache_key_holds_everything_the_tower_depends_on(clinic):
    texts = _texts(clinic)
    args = (clinic.encoder, MASK_ID, 8, 1e-3, 0)
    key = warm_up_key(_fresh_tower(clinic), texts, *args)
    assert warm_up_key(_fresh_tower(clinic), texts, *args) == key
    torch.manual_seed(1)
    other_init = build_text_tower(preset("tiny", vocab_size=clinic.encoder.vocab_size).text)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(threads + 1)
        more_threads = warm_up_key(_fresh_tower(clinic), texts, *args)
    finally:
        torch.set_num_threads(threads)
    others = {
        warm_up_key(other_init, texts, *args),
        warm_up_key(_fresh_tower(clinic), texts[1:], *args),
        warm_up_key(_fresh_tower(clinic), texts, clinic.encoder, MASK_ID + 1, 8, 1e-3, 0),
        warm_up_key(_fresh_tower(clinic), texts, clinic.encoder, MASK_ID, 9, 1e-3, 0),
        warm_up_key(_fresh_tower(clinic), texts, clinic.encoder, MASK_ID, 8, 2e-3, 0),
        warm_up_key(_fresh_tower(clinic), texts, clinic.encoder, MASK_ID, 8, 1e-3, 1),
        more_threads,
    }
    assert len(others) == 7 and key not in others
