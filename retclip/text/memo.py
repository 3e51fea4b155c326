"""Bounded memos for the cleaning stages: reports repeat most of their lines, so a line's result
is remembered; a memo that reaches its bound starts afresh, so memory stays a few megabytes."""

from __future__ import annotations

from typing import TypeVar

LINES_REMEMBERED = 50_000
_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    """Store ``value`` under ``key`` (after emptying a full memo) and return it."""
    if len(memo) >= LINES_REMEMBERED:
        memo.clear()
    memo[key] = value
    return value
