"""PHI recall on hand-written reports and on the synthetic clinic's ground truth."""

# ruff: noqa: RUF001 (full-width characters are what these tests are about)

from __future__ import annotations

import re
from collections import Counter

import pytest

from retclip.config import CleanReportsParams
from retclip.text import phi_patterns
from retclip.text.clean import clean_report
from retclip.text.normalize import align
from retclip.text.phi import PHI_TYPES, PhiSpan, count_by_type, find_phi, find_phi_batch, scrub
from tests.text.fixtures.phi_cases_en import CASES_EN
from tests.text.fixtures.phi_cases_safe_harbor import CASES_SAFE_HARBOR
from tests.text.fixtures.phi_cases_zh import CASES_ZH

TARGET_RECALL = 0.995
CLINIC_PHI_TYPES = PHI_TYPES[:9]  # the synthetic clinic writes the identifiers of issue 19
CASES = CASES_ZH + CASES_EN + CASES_SAFE_HARBOR


def recall_by_type(reports: list[tuple[str, list[tuple[str, int, int]]]]) -> dict[str, tuple]:
    """Span recall per type: a span is caught when every one of its characters is inside a
    detected span (of any type), i.e. replaced by a placeholder."""
    found, total = Counter(), Counter()
    params = CleanReportsParams()
    for text, truth in reports:
        covered = set()
        for span in clean_report(text, params).phi_spans:
            covered.update(range(span.start, span.end))
        for kind, start, end in truth:
            total[kind] += 1
            found[kind] += all(i in covered for i in range(start, end))
    return {kind: (found[kind], total[kind]) for kind in total}


def overall(recall: dict[str, tuple]) -> float:
    return sum(f for f, _ in recall.values()) / sum(t for _, t in recall.values())


def report(name: str, recall: dict[str, tuple]) -> None:
    lines = [f"{kind:8} {f:5}/{t:<5} {f / t:.4f}" for kind, (f, t) in sorted(recall.items())]
    print(f"\nPHI recall, {name}: {overall(recall):.4f}\n" + "\n".join(lines))


def test_hand_written_set_is_large_varied_and_bilingual():
    assert len(CASES) >= 150
    for lang in ("zh", "en"):
        kinds = {kind for case in CASES if case.lang == lang for kind, *_ in case.phi}
        assert kinds == set(PHI_TYPES), f"{lang} lacks {set(PHI_TYPES) - kinds}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_recall_on_hand_written_reports(lang):
    cases = [c for c in CASES if c.lang == lang]
    recall = recall_by_type([(c.text, c.spans()) for c in cases])
    report(f"hand-written {lang} ({len(cases)} reports)", recall)
    assert overall(recall) >= TARGET_RECALL


def test_hand_written_clinical_text_survives():
    params = CleanReportsParams()
    lost = [
        (keep, c.text[:30])
        for c in CASES
        for keep in c.keep
        if keep not in clean_report(c.text, params).patient_text
    ]
    assert not lost


def test_recall_on_the_synthetic_clinic(phi_manifest, phi_truth):
    reports = [
        (text, [(s["type"], s["start"], s["end"]) for s in truth["spans"]])
        for text, truth in zip(phi_manifest["report"], phi_truth, strict=True)
    ]
    recall = recall_by_type(reports)
    report(f"synthetic clinic ({len(reports)} reports)", recall)
    assert set(recall) == set(CLINIC_PHI_TYPES)
    assert overall(recall) >= TARGET_RECALL


def test_no_phi_value_survives_in_any_cleaned_text(phi_manifest, phi_truth, phi_cleaned):
    reports = phi_cleaned.reports.set_index("patient_id")
    leaks = []
    for text, truth in zip(phi_manifest["report"], phi_truth, strict=True):
        row = reports.loc[truth["patient_id"]]
        cleaned = "\n".join(row[c] for c in ("left_text", "right_text", "patient_text"))
        for span in truth["spans"]:
            value = text[span["start"] : span["end"]]
            if value in cleaned:
                leaks.append(span["type"])
    assert not leaks


def test_a_batch_finds_in_each_text_what_the_text_alone_gives():
    pairs = zip(CASES_ZH, CASES_EN, strict=False)  # the two scripts taking turns
    texts = ["", "no phi here", *(align(case.text) for pair in pairs for case in pair)]
    batch = find_phi_batch(texts)
    assert batch == [find_phi(text) for text in texts]
    assert sum(map(len, batch)) > len(texts)  # the cases hold PHI: the batch found it


def test_spans_index_the_raw_report_through_markup_and_full_width_text():
    raw = "<b>姓名：</b>&nbsp;王小明<br>电话：１３８１２３４５６７８\nName: Rose&nbsp;White"
    spans = find_phi(align(raw))
    values = {raw[s.start : s.end] for s in spans}
    assert {"王小明", "１３８１２３４５６７８"} <= values
    assert len(align(raw)) == len(raw)


def test_scrub_writes_typed_placeholders_and_counts_every_type():
    text = "Patient: Rose White  MRN: 00482913  seen 2023-04-05"
    spans = find_phi(text)
    assert scrub(text, spans) == "Patient: [NAME]  MRN: [MRN]  seen [DATE]"
    counts = count_by_type(spans)
    assert set(counts) == set(PHI_TYPES)
    assert counts["NAME"] == counts["MRN"] == counts["DATE"] == 1
    assert scrub(text, [PhiSpan("URL", 0, 7)]).startswith("[URL]:")


@pytest.mark.parametrize(
    "text",
    [
        "C/D 0.6, IOP 21 mmHg, VA 20/40, grade 2, R2M1",
        "杯盘比0.7，眼压 18mmHg，视力 0.8，病程3年",
        "ranibizumab 0.5 mg; refraction -6.00 D; BP 150/90 mmHg; axial length 24.5 mm",
        "Iris: flat. Lens: clear. Best disease. Hope for improvement.",
        "视盘色泽明亮，眼压高峰出现在清晨，晶状体混浊",
        "24-2 visual field, MD -8.5 dB, onset 06:30, 2 o'clock",
    ],
)
def test_measurements_and_words_are_not_phi(text):
    assert find_phi(align(text)) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Age: 90", "90"),
        ("a 104-year-old man", "104"),
        ("年龄：92岁", "92"),
        ("患者，女，九十三岁", "九十三"),
        ("aged 95, presented", "95"),
    ],
)
def test_ages_over_89_are_phi(text, value):
    spans = [s for s in find_phi(align(text)) if s.type == "AGE"]
    assert [text[s.start : s.end] for s in spans] == [value]


@pytest.mark.parametrize("text", ["Age: 89", "年龄：65岁", "a 45-year-old woman", "病程95天"])
def test_ages_up_to_89_are_not_phi(text):
    assert not [s for s in find_phi(align(text)) if s.type == "AGE"]


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "010-65123456",
        "212-555-0199",
        "2023-04-05",
        "05/04/2023",
        "5月3日",
        "5 April 2023",
        "110105198403121234",
        "123-45-6789",
        "92岁",
        "5644848",
        "12 Baker Street",
    ],
)
def test_no_number_pattern_starts_right_after_an_ascii_digit(value):
    """The number scan tests this once per digit for all its patterns, so each must agree."""
    text = "7" + value
    for detector in phi_patterns.NUMBER_LED:
        assert re.compile(detector.pattern).match(text, 1) is None, detector.type


def test_a_date_does_not_grow_over_the_measurement_after_it():
    text = "OCT 2024-01-02 312 µm, 2023-04-05 0.5mg"
    values = {text[s.start : s.end] for s in find_phi(text)}
    assert "312" not in "".join(values) and "0.5" not in "".join(values)
