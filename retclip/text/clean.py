"""Clean one report or a whole manifest: the library behind ``retclip clean-reports``.

Order matters. Unreadable text is quarantined first (PHI cannot be found reliably in it). PHI is
found on a length-preserving normalisation, so its spans are offsets into the raw report, and
is replaced before anything else touches the text. Then the text is tidied, its language
detected, boilerplate dropped, terms rewritten, and it is split into left, right and patient
texts. No report text and no PHI value ever goes into a message, the audit or a log.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
from tqdm.auto import tqdm

from retclip.config import CleanReportsParams
from retclip.text.dictionaries import load_dictionaries
from retclip.text.garbled import garbled_reason
from retclip.text.language import detect_language
from retclip.text.normalize import align, canonical_punctuation, tidy
from retclip.text.phi import PHI_TYPES, PhiSpan, count_by_type, find_phi, scrub
from retclip.text.sections import split_sections

QUARANTINE_REASONS = {
    "empty_report": "the report is empty or only whitespace",
    "no_content": "the report only says that there is no report (N/A, none, 无 ...)",
    "garbled_mojibake": "the report is mojibake (UTF-8 text decoded with the wrong code page)",
    "garbled_noise": "the report is mostly symbols, not words",
    "no_text": "the report has no letters of a supported script",
    "language_not_allowed": "the report's language is not in clean_reports.languages",
    "empty_after_cleaning": "nothing clinical is left after PHI and boilerplate removal",
    "too_short": "fewer than clean_reports.min_chars characters (placeholders aside) are left",
}
FLAGS = ("has_left", "has_right", "has_both", "has_impression", "no_laterality")
# Reports that say there is no report.
NO_REPORT = frozenset(
    {"n/a", "na", "nil", "null", "none", "nan", "-", "--", "/", "unknown", "not available"}
    | {"无", "暂无", "空", "无报告", "未见报告"}
)
PARALLEL_MIN_ROWS = 2000
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")


@dataclass(frozen=True)
class CleanedReport:
    """One report after cleaning. ``full_text`` is the whole report scrubbed and normalised,
    before boilerplate removal and splitting (for audits); ``phi_spans`` index the original
    text (for evaluation only); ``quarantine_reason`` is set, and the texts are empty, when the
    report is unusable. Mixed-language reports are kept whenever a language is allowed."""

    lang: str | None
    left_text: str
    right_text: str
    patient_text: str
    full_text: str
    phi_counts: dict[str, int]
    phi_spans: tuple[PhiSpan, ...] = ()
    flags: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FLAGS, False))
    quarantine_reason: str | None = None


@dataclass(frozen=True)
class CleanResult:
    """A cleaned manifest: usable reports, quarantined rows (no text, no PHI) and the audit."""

    reports: pd.DataFrame
    quarantine: pd.DataFrame
    audit: dict


def clean_report(text: str, params: CleanReportsParams) -> CleanedReport:
    """Clean one raw report: quarantine reason or left, right and patient texts without PHI."""
    if not isinstance(text, str) or not text.strip():
        return _unusable("empty_report")
    reason = garbled_reason(text, params.min_letter_share)
    if reason:
        return _unusable(reason)
    aligned = align(text)
    spans = find_phi(aligned)
    counts = count_by_type(spans)
    full = tidy(scrub(aligned, spans))
    if full.lower().strip(" .。!！") in NO_REPORT:
        return _unusable("no_content", counts, spans)
    lang = detect_language(full)
    if lang is None:
        return _unusable("no_text", counts, spans)
    if lang not in params.languages and not (lang == "mixed" and params.languages):
        return _unusable("language_not_allowed", counts, spans, lang)
    full = canonical_punctuation(full, lang)
    dictionaries = load_dictionaries(tuple(params.dictionaries))
    body = dictionaries.boilerplate(full) if params.boilerplate else full
    if params.abbreviations:
        body = dictionaries.rewriters[lang](body)
    left = len("".join(_PLACEHOLDER.sub("", body).split()))
    if left < max(params.min_chars, 1):
        return _unusable("too_short" if left else "empty_after_cleaning", counts, spans, lang)
    sections = split_sections(body)
    return CleanedReport(
        lang=lang,
        left_text=sections.left,
        right_text=sections.right,
        patient_text=sections.patient,
        full_text=full,
        phi_counts=counts,
        phi_spans=tuple(spans),
        flags={flag: getattr(sections, flag) for flag in FLAGS},
    )


def _unusable(
    reason: str,
    counts: dict[str, int] | None = None,
    spans: list[PhiSpan] | None = None,
    lang: str | None = None,
) -> CleanedReport:
    return CleanedReport(
        lang=lang,
        left_text="",
        right_text="",
        patient_text="",
        full_text="",
        phi_counts=counts or dict.fromkeys(PHI_TYPES, 0),
        phi_spans=tuple(spans or ()),
        quarantine_reason=reason,
    )


def clean_reports(
    manifest: pd.DataFrame, params: CleanReportsParams, progress: bool = True
) -> CleanResult:
    """Clean every row of a manifest (columns ``patient_id`` and ``report``; others ignored).

    Every row ends up in exactly one of ``reports`` and ``quarantine``. The output does not
    depend on ``params.workers``: rows are cleaned independently and kept in input order.
    """
    missing = [c for c in ("patient_id", "report") if c not in manifest.columns]
    if missing:
        raise ValueError(f"the manifest has no column {', '.join(missing)}")
    texts = manifest["report"].tolist()
    cleaned = list(
        tqdm(
            _clean_all(texts, params),
            total=len(texts),
            desc="clean-reports",
            unit="report",
            disable=not progress,
            leave=False,
        )
    )

    kept, quarantined = [], []
    patient_ids = manifest["patient_id"].astype(str).tolist()
    for row, (patient_id, report) in enumerate(zip(patient_ids, cleaned, strict=True)):
        if report.quarantine_reason:
            reason = report.quarantine_reason
            message = f"row {row} (patient_id {patient_id}): {QUARANTINE_REASONS[reason]}"
            quarantined.append((row, patient_id, reason, message))
        else:
            kept.append((patient_id, report))
    reports = _reports_frame(kept)
    quarantine = pd.DataFrame(quarantined, columns=["row", "patient_id", "reason", "message"])
    if len(reports) + len(quarantine) != len(manifest):
        raise AssertionError("clean-reports lost rows: rows in != kept + quarantined")
    return CleanResult(reports, quarantine, _audit(manifest, reports, quarantine))


def _clean_all(texts: list, params: CleanReportsParams) -> Iterator[CleanedReport]:
    """Clean in order; in several processes when it pays (large manifests, workers > 1)."""
    if params.workers == 1 or len(texts) < PARALLEL_MIN_ROWS:
        for text in texts:
            yield clean_report(text, params)
        return
    chunk = max(64, math.ceil(len(texts) / (params.workers * 8)))
    with ProcessPoolExecutor(params.workers) as pool:
        yield from pool.map(clean_report, texts, [params] * len(texts), chunksize=chunk)


def _reports_frame(kept: list[tuple[str, CleanedReport]]) -> pd.DataFrame:
    columns: dict[str, list] = {
        "patient_id": [pid for pid, _ in kept],
        "lang": [r.lang for _, r in kept],
        "left_text": [r.left_text for _, r in kept],
        "right_text": [r.right_text for _, r in kept],
        "patient_text": [r.patient_text for _, r in kept],
    }
    for flag in FLAGS:
        columns[flag] = [r.flags[flag] for _, r in kept]
    for kind in PHI_TYPES:
        columns[f"phi_{kind}"] = [r.phi_counts[kind] for _, r in kept]
    frame = pd.DataFrame(columns)
    for flag in FLAGS:
        frame[flag] = frame[flag].astype(bool)
    for kind in PHI_TYPES:
        frame[f"phi_{kind}"] = frame[f"phi_{kind}"].astype("int64")
    return frame


def _audit(manifest: pd.DataFrame, reports: pd.DataFrame, quarantine: pd.DataFrame) -> dict:
    """Counts only: rows, reasons, languages, section flags and PHI per type (never values).

    Read from the tables (column sums), not report by report: that loop cost a twentieth of
    the cleaning time on large manifests."""
    phi = reports[[f"phi_{kind}" for kind in PHI_TYPES]].to_numpy()
    return {
        "rows_in": len(manifest),
        "reports": len(reports),
        "quarantined": len(quarantine),
        "quarantine_reasons": _counts(quarantine["reason"]),
        "languages": _counts(reports["lang"]),
        "sections": {flag: int(reports[flag].sum()) for flag in FLAGS},
        "phi_counts": {kind: int(n) for kind, n in zip(PHI_TYPES, phi.sum(axis=0), strict=True)},
        "phi_total": int(phi.sum()),
        "reports_with_phi": int((phi > 0).any(axis=1).sum()),
    }


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(key): int(n) for key, n in sorted(column.value_counts().items())}
