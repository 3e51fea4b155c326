"""Normalisation: length-preserving before PHI, tidy after, punctuation per language."""

# ruff: noqa: RUF001 (full-width characters are what these tests are about)

from __future__ import annotations

import pytest

from retclip.text.normalize import FILLER, FOLDS, align, canonical_punctuation, tidy


@pytest.mark.parametrize(
    "raw",
    [
        "姓名：王明<br/>电话：&nbsp;138",
        "Disc：pink，C/D ０．５<b>bold</b> &amp; more &lt;0.3&gt; &#65292;x",
        "line\r\nnext\x07bell\u200bzero\u3000wide",
        "<!-- note --> <div class='x'>OD</div>",
    ],
)
def test_align_keeps_every_offset(raw):
    assert len(align(raw)) == len(raw)


def test_align_maps_each_character_in_place():
    raw = "a<br>b&nbsp;c&amp;d：Ｘ\r\n"
    expected = "a\n" + FILLER * 3 + "b " + FILLER * 5 + "c&" + FILLER * 4 + "d:X\n\n"
    assert align(raw) == expected


def test_align_folds_full_width_forms_and_hides_markup():
    assert tidy(align("Ｃ／Ｄ　０．５，ＩＯＰ：２１")) == "C/D 0.5,IOP:21"
    assert tidy(align("a<br>b<b>c</b>&nbsp;d &amp; e")) == "a\nbc d & e"
    assert tidy(align("&lt;0.3 and &#12290;")) == "<0.3 and 。"


def test_align_folds_every_character_as_a_translation_table_would():
    # align folds a character at a time, so no fold may give a character that folds again
    assert all(len(char) == 1 and char not in FOLDS for char in FOLDS.values())
    raw = "x".join(FOLDS) + "\n" + "".join(reversed(FOLDS)) + "中文 plain"
    assert align(raw) == "".join(FOLDS.get(char, char) for char in raw)


def test_tidy_makes_each_run_of_spaces_and_tabs_one_space():
    assert tidy("a \t  b\t\tc d  \n &  e   f & \n\n\t") == "a b c d\ne f"


@pytest.mark.parametrize("kept", ["mm²", "10⁶", "①", "½", "45º", "μm", "×180", "—"])
def test_compatibility_forms_that_carry_meaning_are_kept(kept):
    assert tidy(align(kept)) == kept


def test_tidy_changes_length_only_after_phi():
    assert tidy("温度 37℃ … Ⅱ级") == "温度 37°C ... II级"
    assert tidy("a   b\t c \n\n  \n d  ") == "a b c\nd"
    assert tidy("复查。。 好,, 完..  etc... ") == "复查。 好, 完. etc..."
    assert tidy(f"王{FILLER}明") == "王明"
    assert tidy("&Findings:\nReport&") == "Findings:\nReport"


def test_chinese_punctuation_is_full_width_but_numbers_are_untouched():
    text = "视盘(OD):边界清,C/D约0.3,视力1,000 10:30;好!好."
    assert (
        canonical_punctuation(text, "zh")
        == "视盘（OD）：边界清，C/D约0.3，视力1,000 10:30；好！好。"
    )
    assert canonical_punctuation("视盘 ， 边界清 。", "zh") == "视盘，边界清。"


def test_english_punctuation_is_ascii():
    assert canonical_punctuation("Disc：pink，C/D 0.5。", "en") == "Disc: pink, C/D 0.5."


def test_mixed_reports_follow_the_script_before_each_mark():
    assert canonical_punctuation("视盘,边界清 Disc，pink", "mixed") == "视盘，边界清 Disc,pink"
