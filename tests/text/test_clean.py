"""Cleaning a manifest: kept reports, quarantine with reasons, audit, no PHI anywhere."""

from __future__ import annotations

import gc
import json

import numpy as np
import pandas as pd
import pytest

from retclip.config import CleanReportsParams
from retclip.data.synth.reports import garble
from retclip.text import clean as clean_module
from retclip.text.clean import (
    FLAGS,
    QUARANTINE_REASONS,
    STAGES,
    CleaningBatch,
    clean_batch,
    clean_report,
    clean_reports,
)
from retclip.text.phi import PHI_TYPES
from tests.text.fixtures.keep_terms import KEEP_TERMS

GOOD_ZH = (
    "姓名：王小明　电话：13812345678\n右眼：视盘边界清，杯盘比0.3。\n"
    "左眼：黄斑区玻璃膜疣。\n诊断：左眼AMD。"
)
GOOD_EN = "Patient: Rose White   MRN: 00482913\nOD: C/D 0.6.\nOS: drusen.\nImpression: AMD OS."
PHI_VALUES = ("王小明", "13812345678", "Rose White", "00482913")


def manifest(reports: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:03d}" for i in range(len(reports))],
            "report": reports,
            "site": "eastlake",
        }
    )


def test_a_report_is_cleaned_into_three_texts_without_phi():
    cleaned = clean_report(GOOD_ZH, CleanReportsParams())
    assert cleaned.quarantine_reason is None and cleaned.lang == "zh"
    assert cleaned.right_text == "视盘边界清，杯盘比0.3。"
    assert cleaned.left_text == "黄斑区玻璃膜疣。\n诊断：年龄相关性黄斑变性。"
    found = {"has_left": True, "has_right": True, "has_impression": True}
    assert cleaned.flags == dict.fromkeys(FLAGS, False) | found
    assert cleaned.phi_counts["NAME"] == cleaned.phi_counts["PHONE"] == 1
    assert [GOOD_ZH[s.start : s.end] for s in cleaned.phi_spans] == ["王小明", "13812345678"]
    assert "[NAME]" in cleaned.full_text and "王小明" not in cleaned.full_text


def test_options_switch_off_dictionaries_and_boilerplate_removal():
    raw = clean_report(GOOD_EN, CleanReportsParams(abbreviations=False, boilerplate=False))
    assert "C/D 0.6" in raw.patient_text and "Patient: [NAME]" in raw.patient_text
    cleaned = clean_report(GOOD_EN, CleanReportsParams())
    assert "cup-to-disc ratio 0.6" in cleaned.patient_text and "[NAME]" not in cleaned.patient_text


UNUSABLE = [
    ("", "empty_report"),
    ("   \n\t ", "empty_report"),
    (None, "empty_report"),
    (float("nan"), "empty_report"),
    ("N/A", "no_content"),
    ("无", "no_content"),
    ("ok", "too_short"),
    ("姓名：王小明　电话：13812345678", "empty_after_cleaning"),
    ("12345 67 89", "no_text"),
]


@pytest.mark.parametrize(("report", "reason"), UNUSABLE)
def test_unusable_reports_have_a_reason(report, reason):
    assert clean_report(report, CleanReportsParams()).quarantine_reason == reason


@pytest.mark.parametrize("seed", range(6))
def test_garbled_reports_are_quarantined(seed):
    text = garble(np.random.default_rng(seed), GOOD_ZH * 3)
    reason = clean_report(text, CleanReportsParams()).quarantine_reason
    assert reason in ("garbled_mojibake", "garbled_noise")


def test_cp1252_mojibake_is_quarantined():
    text = GOOD_ZH.encode("utf-8").decode("cp1252", errors="replace")
    assert clean_report(text, CleanReportsParams()).quarantine_reason == "garbled_mojibake"


def test_language_outside_the_allowed_list_is_quarantined():
    params = CleanReportsParams(languages=["zh"])
    assert clean_report(GOOD_EN, params).quarantine_reason == "language_not_allowed"
    assert clean_report(GOOD_ZH, params).quarantine_reason is None


def test_every_row_is_kept_or_quarantined_with_a_reason():
    rng = np.random.default_rng(0)
    reports = [GOOD_ZH, "", " \n ", "N/A", garble(rng, GOOD_EN * 3), GOOD_EN, None, "ok"]
    result = clean_reports(manifest(reports), CleanReportsParams(), progress=False)
    assert len(result.reports) + len(result.quarantine) == len(reports)
    assert list(result.reports["patient_id"]) == ["P000", "P005"]
    assert list(result.quarantine["row"]) == [1, 2, 3, 4, 6, 7]
    assert set(result.quarantine["reason"]) <= set(QUARANTINE_REASONS)
    for row, message in zip(result.quarantine["row"], result.quarantine["message"], strict=True):
        assert message.startswith(f"row {row} (patient_id P00{row})")
    assert result.audit["rows_in"] == 8
    assert result.audit["reports"] == 2 and result.audit["quarantined"] == 6
    assert sum(result.audit["quarantine_reasons"].values()) == 6


def test_a_batch_equals_its_reports_cleaned_one_by_one(phi_manifest):
    rng = np.random.default_rng(2)
    texts = [*phi_manifest["report"].head(40), *(r for r, _ in UNUSABLE), None]
    texts += [garble(rng, GOOD_EN * 3), GOOD_ZH, GOOD_EN]
    order = rng.permutation(len(texts))
    texts = [texts[i] for i in order]
    params = CleanReportsParams()
    batch = clean_batch(texts, params)
    assert batch == [clean_report(text, params) for text in texts]
    reasons = {r.quarantine_reason for r in batch} - {None}
    assert {reason for _, reason in UNUSABLE} <= reasons


def test_the_stages_find_phi_before_any_other_stage_reads_the_text():
    names = [name for name, _ in STAGES]
    assert len(set(names)) == len(names)
    assert names[:4] == ["quarantine checks", "align", "PHI detection", "scrub + tidy"]


def test_a_report_that_leaves_the_stages_without_a_result_is_an_error():
    """Rows in = rows kept + rows quarantined: a stage that drops a draft cannot go unseen."""
    params = CleanReportsParams()
    batch = CleaningBatch.of([GOOD_EN, GOOD_ZH], params)
    for name, stage in STAGES:
        stage(batch)
        if name == "language":
            batch.drafts.pop()  # a stage that loses a report
    with pytest.raises(AssertionError, match="without a result"):
        batch.finished()


def test_cleaning_makes_no_reference_cycles_and_puts_the_collector_back(phi_manifest):
    """The collector is paused while a manifest is cleaned: that is only safe without cycles."""
    gc.collect()
    gc.disable()
    try:
        clean_reports(phi_manifest, CleanReportsParams(), progress=True)
        assert gc.collect() == 0
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
    clean_reports(manifest([GOOD_EN]), CleanReportsParams(), progress=False)
    assert gc.isenabled()


def test_reports_frame_columns_and_types():
    result = clean_reports(manifest([GOOD_ZH, GOOD_EN]), CleanReportsParams(), progress=False)
    frame = result.reports
    expected = ["patient_id", "lang", "left_text", "right_text", "patient_text", *FLAGS]
    assert list(frame.columns) == expected + [f"phi_{kind}" for kind in PHI_TYPES]
    assert list(frame["lang"]) == ["zh", "en"]
    assert all(frame[flag].dtype == bool for flag in FLAGS)
    assert all(frame[f"phi_{kind}"].dtype == "int64" for kind in PHI_TYPES)
    assert result.audit["phi_counts"]["NAME"] == 2
    assert result.audit["phi_total"] == sum(result.audit["phi_counts"].values())


def test_phi_is_never_in_messages_or_the_audit():
    rng = np.random.default_rng(1)
    reports = [GOOD_ZH, GOOD_EN, "姓名：王小明　电话：13812345678", garble(rng, GOOD_EN * 3)]
    result = clean_reports(manifest(reports), CleanReportsParams(), progress=False)
    published = json.dumps(result.audit, ensure_ascii=False) + result.quarantine.to_json(
        force_ascii=False
    )
    for value in PHI_VALUES:
        assert value not in published
    for column in ("left_text", "right_text", "patient_text"):
        assert not any(v in text for v in PHI_VALUES for text in result.reports[column])


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="report"):
        clean_reports(pd.DataFrame({"patient_id": ["P1"]}), CleanReportsParams(), progress=False)


def test_parallel_cleaning_gives_the_same_result(monkeypatch, phi_manifest):
    rows = phi_manifest.head(60)
    one = clean_reports(rows, CleanReportsParams(workers=1), progress=False)
    monkeypatch.setattr(clean_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(clean_module, "BATCH_ROWS", 7)  # several batches for the two workers
    two = clean_reports(rows, CleanReportsParams(workers=2), progress=False)
    pd.testing.assert_frame_equal(one.reports, two.reports)
    assert one.audit == two.audit


def test_the_dirty_clinic_quarantines_exactly_its_empty_and_garbled_reports(small_clinic):
    rows = pd.read_csv(small_clinic / "patients.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(small_clinic / "truth" / "patients.csv", dtype=str, keep_default_na=False)
    result = clean_reports(rows, CleanReportsParams(), progress=False)
    unreadable = truth.index[truth["defect"].isin(["empty_report", "garbled_report"])]
    assert sorted(result.quarantine["row"]) == sorted(unreadable)
    assert len(result.reports) + len(result.quarantine) == len(rows)


def test_clinical_terms_and_measurements_survive_cleaning():
    params = CleanReportsParams()
    assert len(KEEP_TERMS) >= 100
    assert {lang for lang, _, _ in KEEP_TERMS} == {"zh", "en"}
    lost = [
        line for _, line, kept in KEEP_TERMS if kept not in clean_report(line, params).patient_text
    ]
    survival = 1 - len(lost) / len(KEEP_TERMS)
    print(f"\nkeep-list survival: {survival:.4f} ({len(KEEP_TERMS) - len(lost)}/{len(KEEP_TERMS)})")
    assert survival >= 0.99, lost
