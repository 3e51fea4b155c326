"""Recall per Safe Harbor category on reports written apart from the detectors (issue 37).

The reports come from ``retclip/text/phi_holdout.py``, written by an engineer who read neither
the detectors nor their cases; ``retclip.text.phi_recall`` cleans them and counts. Every
category must be found whole (a value with one letter or digit left is a leak) and every
clinical value kept. Run with ``-s`` for the table the README quotes.
"""

from __future__ import annotations

import pytest

from retclip.config import CleanReportsParams
from retclip.text.phi_holdout import CATEGORIES
from retclip.text.phi_recall import measure_recall, recall_table


@pytest.fixture(scope="module")
def measured() -> dict:
    return measure_recall(CleanReportsParams())


def test_every_category_is_found_whole_in_both_languages(measured):
    print("\n" + recall_table(measured))
    for kind in CATEGORIES:
        by_lang = measured["categories"][kind]
        assert by_lang["zh"]["values"] >= 100 and by_lang["en"]["values"] >= 100, kind
        leaked = {lang: v["leaked"] for lang, v in by_lang.items() if v["leaked"]}
        assert not leaked, (kind, leaked)
    assert measured["leaked"] == 0


def test_clinical_values_survive(measured):
    kept, values = measured["clinical_kept"], measured["clinical_values"]
    assert sum(values.values()) >= 10_000
    assert kept == values, {k: values[k] - kept[k] for k in values if kept[k] != values[k]}


def test_the_measure_counts_a_partly_scrubbed_value_as_a_leak(monkeypatch):
    """The measure can fail: with the new detectors switched off it finds leaks."""
    from retclip.text import safe_harbor

    monkeypatch.setattr(safe_harbor, "DETECTORS", ())
    monkeypatch.setattr(safe_harbor, "ZH_DETECTORS", ())
    monkeypatch.setattr(safe_harbor, "EN_DETECTORS", ())
    weakened = measure_recall(CleanReportsParams(), seeds=(37,), count=120)
    assert weakened["leaked"] > 0
