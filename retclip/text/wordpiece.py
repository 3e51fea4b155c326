"""Learn a WordPiece vocabulary from word counts, the same way on every run.

The ``tokenizers`` library's ``WordPieceTrainer`` gives a different vocabulary from one process
to the next: it breaks ties between equally frequent pairs by ids handed out in hash-map order.
The tokenizer stage would then change its output, and invalidate pre-training, on every
``dvc repro``. This is the library's algorithm (byte-pair-style merges of "##"-continued pieces,
most frequent pair first), with ties broken by the text of the pieces. Tokenisation itself stays
with the ``tokenizers`` library.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

CONTINUATION = "##"


def learn_vocabulary(
    word_counts: Mapping[str, int],
    size: int,
    min_frequency: int,
    reserved: Sequence[str],
    alphabet: Iterable[str] = (),
) -> list[str]:
    """Tokens in id order: ``reserved``, then every character (as a word start and as a
    continuation), then merged pieces, most frequent first, until ``size`` tokens or no pair
    is seen ``min_frequency`` times. The characters are all kept even past ``size``."""
    entries = sorted(word_counts.items())
    words = [[w[0], *(CONTINUATION + c for c in w[1:])] for w, _ in entries if w]
    counts = [n for w, n in entries if w]
    vocabulary = list(dict.fromkeys(reserved))
    known = set(vocabulary)

    def add(token: str) -> None:
        if token not in known:
            known.add(token)
            vocabulary.append(token)

    characters = {symbol for word in words for symbol in word}
    for char in alphabet:
        characters |= {char, CONTINUATION + char}
    for token in sorted(characters):
        add(token)

    pair_counts: dict[tuple[str, str], int] = defaultdict(int)
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for index, word in enumerate(words):
        for pair in pairwise(word):
            pair_counts[pair] += counts[index]
            holders[pair].add(index)
    queue = [(-n, _merged(pair), pair) for pair, n in pair_counts.items()]
    heapq.heapify(queue)

    while len(vocabulary) < size and queue:
        negative, token, pair = heapq.heappop(queue)
        if pair_counts.get(pair, 0) != -negative:
            continue  # a stale entry: the pair's count changed and was queued again
        if -negative < min_frequency:
            break
        add(token)
        changed = set()
        for index in sorted(holders.pop(pair, ())):
            old = words[index]
            for stale in pairwise(old):
                pair_counts[stale] -= counts[index]
                holders[stale].discard(index)
                changed.add(stale)
            new = _merge(old, pair, token)
            words[index] = new
            for fresh in pairwise(new):
                pair_counts[fresh] += counts[index]
                holders[fresh].add(index)
                changed.add(fresh)
        del pair_counts[pair]
        for other in sorted(changed - {pair}):
            if pair_counts[other] > 0:
                heapq.heappush(queue, (-pair_counts[other], _merged(other), other))
    return vocabulary


def _merged(pair: tuple[str, str]) -> str:
    return pair[0] + pair[1].removeprefix(CONTINUATION)


def _merge(word: list[str], pair: tuple[str, str], token: str) -> list[str]:
    merged, index = [], 0
    while index < len(word):
        if index + 1 < len(word) and (word[index], word[index + 1]) == pair:
            merged.append(token)
            index += 2
        else:
            merged.append(word[index])
            index += 1
    return merged
