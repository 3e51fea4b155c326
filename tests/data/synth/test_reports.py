import re
from datetime import date

import numpy as np
import pytest

from retclip.data.synth import phi
from retclip.data.synth.findings import EyeFindings
from retclip.data.synth.reports import Visit, garble, write_report

SICK = EyeFindings(dr_grade=2, cdr=0.8, amd=1)
WELL = EyeFindings()


def visit(lang: str, age: int = 60) -> Visit:
    name = "王小明" if lang == "zh" else "Rose White"
    return Visit(
        lang=lang, name=name, sex="F", age=age, exam_date=date(2023, 4, 5), site="eastlake"
    )


def reports(lang: str, n: int = 60, noise: float = 1.0, age: int = 60):
    for seed in range(n):
        rng = np.random.default_rng(seed)
        yield write_report(rng, visit(lang, age), SICK, WELL, noise)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_spans_point_at_phi_and_do_not_overlap(lang):
    kinds = set()
    for report, _ in reports(lang):
        end = 0
        for span in report.spans:
            value = report.text[span["start"] : span["end"]]
            assert span["start"] >= end and value.strip() == value and value
            end = span["end"]
            kinds.add(span["type"])
            if span["type"] == "NAME" and span["start"] < 60:
                assert value == visit(lang).name
            if span["type"] == "PHONE":
                assert sum(c.isdigit() for c in value) >= 10
            if span["type"] == "ID":
                assert len(value) == 18
            if span["type"] == "EMAIL":
                assert "@" in value
            if span["type"] == "URL":
                assert value.startswith("https://")
    assert {"NAME", "MRN", "DATE", "PHONE", "ADDRESS", "URL"} <= kinds


def test_chinese_id_check_digit_is_valid():
    rng = np.random.default_rng(0)
    for _ in range(50):
        value = phi.chinese_id(rng, date(1950, 2, 3))
        total = sum(int(c) * w for c, w in zip(value[:17], phi.ID_WEIGHTS, strict=True))
        assert value[17] == "10X98765432"[total % 11]
        assert value[6:14] == "19500203"


def test_age_over_89_is_marked_phi_and_younger_is_not():
    old = [r for r, _ in reports("en", 5, age=93)]
    young = [r for r, _ in reports("en", 5, age=60)]
    assert all(
        any(s["type"] == "AGE" and r.text[s["start"] : s["end"]] == "93" for s in r.spans)
        for r in old
    )
    assert not any(s["type"] == "AGE" for r in young for s in r.spans)


def test_reports_carry_laterality_and_findings():
    styles = set()
    for report, style in reports("zh"):
        styles.add(style)
        if style == "per_eye":
            assert re.search("右眼|OD", report.text) and re.search("左眼|OS", report.text)
        assert "诊断" in report.text
        assert re.search(r"(C/D|杯盘比).{0,6}0\.8", report.text)
    assert styles == {"per_eye", "none"}  # the eyes differ, so never "both eyes"
    for report, _ in reports("en"):
        assert re.search("Impression|Diagnosis|IMPRESSION", report.text)
        assert re.search(r"NPDR|non-proliferative", report.text)


def test_noise_shows_up_only_when_asked():
    clean = "".join(r.text for r, _ in reports("en", 40, noise=0.0))
    noisy = "".join(r.text for r, _ in reports("en", 40, noise=1.0))
    for mark in ("<br>", "&nbsp;", "：", "，"):
        assert mark not in clean
    assert any(mark in noisy for mark in ("<br>", "<br/>", "&nbsp;", "<p>"))
    assert any(mark in noisy for mark in ("：", "，", "（"))


def test_one_eye_report_mentions_the_missing_eye():
    rng = np.random.default_rng(3)
    report, style = write_report(rng, visit("en"), None, SICK, 0.0)
    assert style == "per_eye"
    assert "not photographed" in report.text


def test_garbled_text_is_not_the_original():
    rng = np.random.default_rng(1)
    text = "左眼：视盘边界清。"
    for _ in range(5):
        assert garble(rng, text) != text
