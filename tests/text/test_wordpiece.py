"""The deterministic WordPiece vocabulary learner."""

from __future__ import annotations

import random

from retclip.text.wordpiece import learn_vocabulary


def test_reserved_tokens_first_then_characters_then_merges():
    counts = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    vocab = learn_vocabulary(counts, size=40, min_frequency=2, reserved=["[PAD]", "[UNK]"])
    assert vocab[:2] == ["[PAD]", "[UNK]"]
    characters = {"l", "##o", "##w", "n", "##e", "##s", "##t", "w", "##i", "##d", "##r"}
    assert characters <= set(vocab)
    assert "##est" in vocab and "low" in vocab
    assert len(vocab) == len(set(vocab)) <= 40


def test_merges_stop_at_the_size_and_at_min_frequency():
    counts = {"aaaa": 10, "bb": 1}
    small = learn_vocabulary(counts, size=5, min_frequency=1, reserved=["[UNK]"])
    assert small == ["[UNK]", "##a", "##b", "a", "b"]  # the characters are always kept
    rare = learn_vocabulary(counts, size=50, min_frequency=2, reserved=[])
    assert "aaaa" in rare and "bb" not in rare


def test_the_vocabulary_does_not_depend_on_input_order_and_ties_break_by_text():
    counts = {f"w{chr(97 + i)}{chr(97 + j)}": 3 for i in range(6) for j in range(6)}
    first = learn_vocabulary(counts, size=80, min_frequency=1, reserved=["[UNK]"])
    shuffled = list(counts.items())
    random.Random(0).shuffle(shuffled)
    again = learn_vocabulary(dict(shuffled), size=80, min_frequency=1, reserved=["[UNK]"])
    assert first == again


def test_an_alphabet_adds_characters_never_seen():
    vocab = learn_vocabulary({"ab": 1}, size=10, min_frequency=1, reserved=[], alphabet="z")
    assert {"z", "##z"} <= set(vocab)
