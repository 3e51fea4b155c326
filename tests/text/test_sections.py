"""Section splitting into left-eye, right-eye and patient texts, for every marker style."""

from __future__ import annotations

import re

import pytest

from retclip.text.sections import split_sections

PER_EYE = [
    ("右眼：视盘边界清，杯盘比0.3。\n左眼：视盘色淡，杯盘比0.8。", "杯盘比0.3", "杯盘比0.8"),
    ("OD：视盘边界清，杯盘比0.3。\nOS：视盘色淡，杯盘比0.8。", "杯盘比0.3", "杯盘比0.8"),
    ("右眼（OD）：视网膜平伏。\n左眼（OS）：黄斑区玻璃膜疣。", "视网膜平伏", "玻璃膜疣"),
    ("OD (right eye): Disc: pink, CDR 0.3.\nOS (left eye): Disc: pale, CDR 0.8.", "0.3", "0.8"),
    ("Right eye: retina flat.\nLeft eye: soft drusen.", "retina flat", "soft drusen"),
    ("OD: retina flat.\nOS: soft drusen.", "retina flat", "soft drusen"),
    ("RIGHT EYE: retina flat.\nLEFT EYE: soft drusen.", "retina flat", "soft drusen"),
]


@pytest.mark.parametrize(("text", "right", "left"), PER_EYE)
def test_per_eye_markers_send_each_finding_to_its_eye(text, right, left):
    sections = split_sections(text)
    assert right in sections.right and right not in sections.left
    assert left in sections.left and left not in sections.right
    assert sections.patient == text
    assert sections.has_left and sections.has_right
    assert not sections.has_both and not sections.no_laterality


@pytest.mark.parametrize(
    "text",
    [
        "双眼：视盘边界清，黄斑中心凹反光可见。\n诊断：双眼眼底未见明显异常。",
        "双眼（OU）：视盘边界清。\n诊断：双眼白内障。",
        "OU：视盘边界清。",
        "OU: soft drusen at the macula.\nImpression: Early AMD OU.",
        "Both eyes: soft drusen at the macula.\nImpression: Early AMD OU.",
    ],
)
def test_both_eye_markers_give_the_text_to_both_eyes(text):
    sections = split_sections(text)
    assert sections.has_both and not (sections.has_left or sections.has_right)
    assert sections.left == sections.right
    assert sections.left  # the findings, without the markers
    assert "OU" not in sections.left and "双眼" not in sections.left


@pytest.mark.parametrize(
    "text",
    [
        "眼底：视盘边界清，杯盘比约0.3。\n诊断：眼底未见明显异常。",
        "Fundus: pink disc, cup-to-disc ratio 0.4.\nImpression: No abnormality detected.",
    ],
)
def test_a_report_without_markers_gives_its_full_text_to_all_three(text):
    sections = split_sections(text)
    assert sections.left == sections.right == sections.patient == text
    assert sections.no_laterality and sections.has_impression
    assert not (sections.has_left or sections.has_right or sections.has_both)


def test_chinese_impression_per_eye():
    sections = split_sections("诊断：右眼青光眼；白内障。左眼病理性近视。")
    assert sections.right == "诊断：青光眼；白内障。"
    assert sections.left == "诊断：病理性近视。"
    assert sections.has_impression


def test_english_impression_per_eye():
    sections = split_sections("Impression: OD: Severe NPDR; Cataract. OS: PDR.")
    assert sections.right == "Impression: Severe NPDR; Cataract."
    assert sections.left == "Impression: PDR."
    assert sections.has_impression


def test_measurement_lines_split_by_eye_and_a_trailing_ou_applies_to_both():
    sections = split_sections("VA: OD 20/20, OS 20/40. IOP 15 mmHg OU.")
    assert sections.right == "VA: 20/20 IOP 15 mmHg."
    assert sections.left == "VA: 20/40. IOP 15 mmHg."
    sections = split_sections("视力：右眼 0.8，左眼 0.6")
    assert (sections.right, sections.left) == ("视力：0.8", "视力：0.6")


def test_unmarked_lines_concern_the_patient_and_go_to_every_text():
    text = "右眼：视网膜平伏。\n左眼：玻璃膜疣。\n建议：定期复查。"
    sections = split_sections(text)
    assert sections.right.endswith("建议：定期复查。")
    assert sections.left.endswith("建议：定期复查。")


def test_a_marker_on_its_own_line_carries_to_the_following_lines_until_a_heading():
    text = "右眼：\n视盘边界清\n黄斑正常\n左眼：\n视盘苍白\n诊断：左眼视神经萎缩。"
    sections = split_sections(text)
    assert sections.right == "视盘边界清\n黄斑正常"
    assert sections.left == "视盘苍白\n诊断：视神经萎缩。"


def test_a_marker_inside_a_phrase_is_a_mention_not_a_new_section():
    sections = split_sections("诊断：右眼较左眼重。")
    assert sections.right == "诊断：较左眼重。"
    assert not sections.has_left


def test_latin_markers_inside_words_are_ignored():
    sections = split_sections("Fundus: PODS scale normal; ODE and COST are words.")
    assert sections.no_laterality


def test_a_heading_alone_on_its_line_labels_the_next_line():
    sections = split_sections("OD: drusen.\nOS: normal.\nRecommendation:\nrepeat imaging.")
    assert sections.left.endswith("Recommendation: repeat imaging.")


def _findings(patient_text: str, starts: tuple[str, ...]) -> str:
    """The findings of the line that starts with one of ``starts``, without its label."""
    line = next(line for line in patient_text.split("\n") if line.startswith(starts))
    return re.split("[:：]", line, maxsplit=1)[1].strip()


def test_synthetic_clinic_styles(phi_cleaned, phi_truth):
    reports = phi_cleaned.reports.set_index("patient_id")
    seen = set()
    for truth in phi_truth:
        row = reports.loc[truth["patient_id"]]
        style = truth["report_style"]
        seen.add(style)
        if style == "per_eye":
            assert row.has_left and row.has_right
            right = _findings(row.patient_text, ("右眼", "OD", "Right eye"))
            left = _findings(row.patient_text, ("左眼", "OS", "Left eye"))
            assert right in row.right_text and left in row.left_text
        else:
            starts = ("双眼", "OU", "Both eyes") if style == "both_eyes" else ("眼底", "Fundus")
            findings = _findings(row.patient_text, starts)
            assert findings in row.left_text and findings in row.right_text
            assert row.has_both or style == "none"
        assert row.has_impression
    assert seen == {"per_eye", "both_eyes", "none"}
