"""Telephone and fax numbers in the written forms issue 19 lists, and numbers that are not."""

from __future__ import annotations

import pytest

from retclip.text.normalize import align
from retclip.text.phi import find_phi


def phone_values(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_phi(align(text)) if s.type == "PHONE"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Name: Li Wei, tel (010) 6512-3456, review", "(010) 6512-3456"),
        ("Patient Li Wei, tel 010-65123456.", "010-65123456"),
        ("Ph 0755 8832 1177", "0755 8832 1177"),
        ("phone +44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
        ("mobile 07700 900123", "07700 900123"),
        ("Tel. 010.6512.3456 ext. 205", "010.6512.3456 ext. 205"),
        ("电话：010-65123456转205", "010-65123456转205"),
        ("联系电话（0755）8832 1177", "（0755）8832 1177"),
        ("手机 138 1234 5678", "138 1234 5678"),
        ("传真：+86 10 6512 3456", "+86 10 6512 3456"),
        ("call 415.555.0134 x12", "415.555.0134 x12"),
        ("fax 0086 10 65123456", "0086 10 65123456"),
        ("+1 (415) 555-0134", "+1 (415) 555-0134"),
        ("可拨打138-1234-5678咨询", "138-1234-5678"),
        ("TEL010 41462397 转 382", "010 41462397 转 382"),
        ("her niece can be reached on 030/8608 3410.", "030/8608 3410"),
        ("the eye casualty line is +61 2 9374 4000", "+61 2 9374 4000"),
    ],
)
def test_phone_numbers_in_every_common_form(text, number):
    assert phone_values(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "axial length 24.52 23.98 mm",
        "VA 0.8 0.6 0.5 0.4",
        "exam 2023-04-05 10:30",
        "refraction -6.00 -1.25 x 180",
        "CST 312 298 305 μm, BP 150/90 mmHg",
        "24-2 visual field, 1200 1500 burns",
        "born 1983/10/13 37Y",
    ],
)
def test_measurements_are_not_phone_numbers(text):
    assert phone_values(text) == []
