"""Ages over 89 and birth years in running text (ages.py)."""

from __future__ import annotations

import pytest

from retclip.text.ages import old_ages


def values(text: str) -> set[tuple[str, str]]:
    return {(kind, text[start:end]) for kind, start, end in old_ages(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born 1929, now 95.", {("DATE", "1929"), ("AGE", "95")}),
        ("At 99 (born 1922), she still lives alone", {("DATE", "1922"), ("AGE", "99")}),
        ("1930年出生，现94岁", {("DATE", "1930"), ("AGE", "94")}),
        ("100岁高龄（生于一九二二年）", {("DATE", "一九二二"), ("AGE", "100")}),
        ("Born in nineteen twenty-one, as he put it", {("DATE", "nineteen twenty-one")}),
        ("aged ninety-one (b. 1933)", {("DATE", "1933"), ("AGE", "ninety-one")}),
    ],
)
def test_ages_and_birth_years(text, expected):
    assert expected <= values(text)


@pytest.mark.parametrize(
    "text", ["VA now 95 letters", "IOP at 92%", "ETDRS 95 letters at 4 m", "a 64-year-old man"]
)
def test_numbers_that_are_no_ages(text):
    assert values(text) == set()
