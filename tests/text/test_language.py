"""Language detection by script: Chinese, English or mixed."""

from __future__ import annotations

import pytest

from retclip.text.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("右眼：视盘边界清，C/D约0.3，眼压18mmHg。OD：正常。", "zh"),
        ("OD: C/D 0.6, IOP 21 mmHg.\nImpression: Glaucoma suspect.", "en"),
        ("Patient [NAME] seen on [DATE]: normal fundus.", "en"),
        ("Fundus 眼底: disc pink 视盘色淡红, cup-to-disc ratio 杯盘比 0.5.", "mixed"),
        ("12345 [DATE] 67", None),
        ("", None),
    ],
)
def test_language(text, lang):
    assert detect_language(text) == lang
