"""Unreadable reports: mojibake and symbol noise, recognised before anything else runs."""

from __future__ import annotations

import numpy as np
import pytest

from retclip.data.synth.reports import garble
from retclip.text.garbled import garbled_reason, letter_share, looks_like_mojibake

READABLE = [
    "东湖医院 眼底彩色照相检查报告单\n姓名：王明<br>\n右眼：视盘边界清，C/D约0.3。",
    "Patient: Rose White &nbsp; MRN: 1234\nOD: C/D 0.6, IOP 21 mmHg; VA 20/40.",
    "Café au lait spots; naïve patient; Müller cells; São Paulo.",
    "N/A",
]


@pytest.mark.parametrize("text", READABLE)
def test_readable_reports_pass(text):
    assert garbled_reason(text, 0.5) is None


def test_mojibake_from_latin1_and_cp1252_is_recognised():
    for codec in ("latin-1", "cp1252"):
        text = "检查所见：视盘边界清".encode().decode(codec, errors="replace")
        assert looks_like_mojibake(text)
        assert garbled_reason(text, 0.5) == "garbled_mojibake"


@pytest.mark.parametrize("seed", range(8))
def test_the_synthetic_clinics_garbled_reports_are_all_recognised(seed):
    text = garble(np.random.default_rng(seed), READABLE[0] * 4)
    assert garbled_reason(text, 0.5) in ("garbled_mojibake", "garbled_noise")


def test_mojibake_in_a_mostly_english_report_is_recognised():
    text = "Disc：pink, café, C/D 0.5 °".encode().decode("latin-1")
    assert garbled_reason(text, 0.5) == "garbled_mojibake"


def test_an_ascii_report_cannot_be_mojibake():
    text = READABLE[1]
    assert text.encode().decode("latin-1") == text and garbled_reason(text, 0.5) is None


def test_letter_share():
    assert letter_share("") == 0.0
    assert letter_share("ab12") == 1.0
    assert letter_share("@#$%") == 0.0
    assert letter_share("视盘，边界") == 1.0
