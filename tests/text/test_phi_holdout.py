"""Tests of the hold-out PHI report generator itself (not of any detector)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from retclip.text.phi_holdout import (
    CATEGORIES,
    KEEP_KINDS,
    TEMPLATE_COUNTS,
    Report,
    Span,
    check_report,
    generate_reports,
)

SEEDS = (37, 4242)
MIN_PER_LANG = 60
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module", params=SEEDS)
def reports(request: pytest.FixtureRequest) -> list[Report]:
    return generate_reports(600, request.param)


def _counts(reports: list[Report]) -> Counter[tuple[str, str]]:
    return Counter((r.lang, span.kind) for r in reports for span in r.phi)


def test_deterministic_for_a_seed() -> None:
    assert generate_reports(120, 37) == generate_reports(120, 37)
    assert generate_reports(120, 37) != generate_reports(120, 38)


def test_prefix_stable_types_and_count() -> None:
    out = generate_reports(25, 5)
    assert len(out) == 25
    assert generate_reports(0, 5) == []
    for report in out:
        assert isinstance(report, Report)
        assert all(isinstance(s, Span) for s in report.phi + report.keep)


def test_span_invariants(reports: list[Report]) -> None:
    for report in reports:
        check_report(report)  # the generator's own assertions
        text = report.text
        spans = sorted(report.phi + report.keep, key=lambda s: s.start)
        for a, b in itertools.pairwise(spans):
            assert a.end <= b.start, (report.text, a, b)
        for span in report.phi:
            value = text[span.start : span.end]
            assert span.kind in CATEGORIES
            assert value and value == value.strip(), (span, value)
            assert value[-1] not in ".,;:，。；：、）)", (span, value)
        for span in report.keep:
            value = text[span.start : span.end]
            assert span.kind in KEEP_KINDS
            assert value and value == value.strip(), (span, value)
        assert 2 <= len(report.phi) <= 6
        assert 3 <= text.count("\n") + 1 <= 12


def test_language_mix(reports: list[Report]) -> None:
    langs = Counter(r.lang for r in reports)
    assert set(langs) == {"zh", "en", "mixed"}
    assert 0.10 <= langs["mixed"] / len(reports) <= 0.20
    for report in reports:
        has_cjk = bool(_CJK.search(report.text))
        if report.lang == "en":
            assert not has_cjk, report.text
        elif report.lang == "mixed":
            assert has_cjk and _LATIN_WORD.search(report.text), report.text
        else:
            assert has_cjk


def test_min_counts_per_language_and_category(reports: list[Report]) -> None:
    counts = _counts(reports)
    short = {
        (lang, cat): counts[(lang, cat)]
        for lang in ("zh", "en")
        for cat in CATEGORIES
        if counts[(lang, cat)] < MIN_PER_LANG
    }
    assert not short, short


def test_each_category_in_both_languages(reports: list[Report]) -> None:
    counts = _counts(reports)
    for cat in CATEGORIES:
        assert counts[("zh", cat)] > 0 and counts[("en", cat)] > 0, cat


def test_values_and_sentence_forms_are_varied(reports: list[Report]) -> None:
    values: dict[tuple[str, str], set[str]] = {}
    contexts: dict[tuple[str, str], set[str]] = {}
    for report in reports:
        if report.lang == "mixed":
            continue
        for span in report.phi:
            key = (report.lang, span.kind)
            values.setdefault(key, set()).add(report.text[span.start : span.end])
            contexts.setdefault(key, set()).add(report.text[max(0, span.start - 6) : span.start])
    for key, seen in values.items():
        floor = 25 if key[1] == "AGE_OVER_89" else 40
        assert len(seen) >= floor, (key, len(seen))
        assert len(contexts[key]) >= 8, (key, sorted(contexts[key]))
    for key, n in TEMPLATE_COUNTS.items():
        assert n >= 8, key


def test_region_and_clinical_keep_spans_present(reports: list[Report]) -> None:
    kinds = Counter(span.kind for r in reports for span in r.keep)
    for kind in KEEP_KINDS:
        assert kinds[kind] > 0, kind
    for report in reports:
        assert report.keep, report.text
        sides = [s for s in report.keep if s.kind == "SIDE"]
        assert sides, report.text


def test_age_spans_come_in_pairs(reports: list[Report]) -> None:
    for report in reports:
        ages = [s for s in report.phi if s.kind == "AGE_OVER_89"]
        assert len(ages) % 2 == 0, report.text
        values = [report.text[s.start : s.end] for s in ages]
        assert not any(v.endswith(("岁", "年", "years")) for v in values), values


_LABEL_PREFIX = re.compile(
    r"^(plate|licen[cs]e plate|tag|reg|车牌号?|微信号?|wx|MBI|VIN|QQ|SN|S/N|IBAN|NPI|DEA|GMC|"
    r"序列号|设备编号|医保卡号|Medicaid ID|member)[\s:：#]",
    re.IGNORECASE,
)


def test_label_words_stay_outside_spans(reports: list[Report]) -> None:
    for report in reports:
        for span in report.phi:
            value = report.text[span.start : span.end]
            assert not _LABEL_PREFIX.match(value), (span, value)
