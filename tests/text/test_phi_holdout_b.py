"""Tests of the second hold-out generator itself (not of any detector)."""

from __future__ import annotations

import collections
import hashlib
import itertools
import os
import subprocess
import sys

import pytest

from retclip.text import phi_holdout_b as hb
from retclip.text.phi_holdout_b import CATEGORIES, Report, Span, generate_reports

KEEP_KINDS = {"MEASURE", "LESION", "SIDE", "EPONYM", "MAKER", "DOSE", "TIME", "REGION"}
EDGE = set(" \t\r\n\u3000.,;:!?\uff0c\u3002\uff1b\uff1a\u3001\uff01\uff1f")
SEEDS = (11, 2027)


@pytest.fixture(scope="module", params=SEEDS)
def reports(request: pytest.FixtureRequest) -> list[Report]:
    return generate_reports(600, request.param)


def _digest(reps: list[Report]) -> str:
    return hashlib.sha256(repr(reps).encode()).hexdigest()


def test_public_api() -> None:
    assert CATEGORIES == (
        "CITY",
        "VEHICLE",
        "NAME_UNLABELLED",
        "BIOMETRIC",
        "HANDLE",
        "IP",
        "ACCOUNT",
        "HEALTH_PLAN",
        "AGE_OVER_89",
        "DEVICE",
        "LICENSE",
    )
    assert Span._fields == ("kind", "start", "end")
    assert Report._fields == ("lang", "text", "phi", "keep")
    assert generate_reports(0, 1) == []
    assert len(generate_reports(7, 1)) == 7


def test_deterministic_for_a_seed() -> None:
    first = generate_reports(150, 7)
    assert first == generate_reports(150, 7)
    assert first != generate_reports(150, 8)


def test_deterministic_across_processes() -> None:
    code = (
        "import hashlib; from retclip.text.phi_holdout_b import generate_reports; "
        "print(hashlib.sha256(repr(generate_reports(80, 3)).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("0", "1234"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert digests == {_digest(generate_reports(80, 3))}


def test_span_invariants(reports: list[Report]) -> None:
    for rep in reports:
        assert rep.lang in ("zh", "en", "mixed")
        assert 2 <= len(rep.phi) <= 6
        assert 3 <= len(rep.text.split("\n")) <= 15
        for span in rep.phi:
            assert span.kind in CATEGORIES
        for span in rep.keep:
            assert span.kind in KEEP_KINDS
        spans = sorted(rep.phi + rep.keep, key=lambda s: (s.start, s.end))
        for span in spans:
            assert 0 <= span.start < span.end <= len(rep.text)
            value = rep.text[span.start : span.end]
            assert value[0] not in EDGE and value[-1] not in EDGE, (span, value)
            assert "\n" not in value
        for a, b in itertools.pairwise(spans):
            assert a.end <= b.start, (a, b, rep.text)


def test_labels_stay_outside_spans(reports: list[Report]) -> None:
    labels = ("plate", "微信号", "MBI", "S/N", "IBAN", "NPI", "驾驶证号", "医保卡号")
    for rep in reports:
        for span in rep.phi:
            value = rep.text[span.start : span.end]
            assert not any(value.startswith(label) for label in labels), value


def test_names_are_unlabelled(reports: list[Report]) -> None:
    titles = ("姓名：", "姓名:", "Mr ", "Mrs ", "Ms ", "Dr ", "Dr. ", "主任", "医生", "Name: ")
    for rep in reports:
        for span in rep.phi:
            if span.kind != "NAME_UNLABELLED":
                continue
            before = rep.text[max(0, span.start - 6) : span.start]
            after = rep.text[span.end : span.end + 2]
            assert not before.endswith(titles), (before, rep.text[span.start : span.end])
            assert not after.startswith(("主任", "医生", "教授")), after


def test_minimum_counts_per_language(reports: list[Report]) -> None:
    counts = collections.Counter((r.lang, s.kind) for r in reports for s in r.phi)
    for lang in ("zh", "en"):
        for cat in CATEGORIES:
            assert counts[(lang, cat)] >= 60, (lang, cat, counts[(lang, cat)])


def test_every_category_in_both_languages_with_varied_values(reports: list[Report]) -> None:
    values: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for rep in reports:
        for span in rep.phi:
            values[(rep.lang, span.kind)].add(rep.text[span.start : span.end])
    for lang in ("zh", "en"):
        for cat in CATEGORIES:
            minimum = 15 if cat == "AGE_OVER_89" else 40
            assert len(values[(lang, cat)]) >= minimum, (lang, cat)


def test_sentence_forms_per_category_and_language() -> None:
    for lang in ("zh", "en"):
        for cat in CATEGORIES:
            forms = hb._TEMPLATES[(lang, cat)]
            assert len(set(forms)) >= 8, (lang, cat)


def test_language_mix(reports: list[Report]) -> None:
    langs = collections.Counter(r.lang for r in reports)
    assert 0.10 <= langs["mixed"] / len(reports) <= 0.20
    assert langs["zh"] > 200 and langs["en"] > 200
    for rep in reports:
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in rep.text)
        if rep.lang == "en":
            assert not has_cjk
        else:
            assert has_cjk
        if rep.lang == "mixed":
            lines = rep.text.split("\n")
            assert any(not any("\u4e00" <= ch <= "\u9fff" for ch in line) for line in lines)


def test_regions_are_keep_spans(reports: list[Report]) -> None:
    regions = collections.Counter()
    for rep in reports:
        for span in rep.keep:
            if span.kind == "REGION":
                regions[rep.lang] += 1
                value = rep.text[span.start : span.end]
                assert not any(value == rep.text[p.start : p.end] for p in rep.phi)
    assert regions["zh"] >= 20 and regions["en"] >= 20


def test_ages_are_over_89(reports: list[Report]) -> None:
    fw = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})
    for rep in reports:
        for span in rep.phi:
            if span.kind != "AGE_OVER_89":
                continue
            value = rep.text[span.start : span.end].translate(fw)
            if value.isdigit():
                number = int(value)
                assert number >= 90 if len(value) <= 3 else 1900 <= number <= 1935, value
