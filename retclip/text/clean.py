"""Clean one report or a whole manifest: the library behind ``retclip clean-reports``.

Order matters. Unreadable text is quarantined first (PHI cannot be found reliably in it). PHI is
found on a length-preserving normalisation, so its spans are offsets into the raw report, and
is replaced before anything else touches the text. Then the text is tidied, its language
detected, boilerplate dropped, terms rewritten, and it is split into left, right and patient
texts. No report text and no PHI value ever goes into a message, the audit or a log.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from retclip.config import CleanReportsParams
from retclip.text.dictionaries import load_dictionaries
from retclip.text.garbled import garbled_reason
from retclip.text.language import detect_language
from retclip.text.normalize import align, canonical_punctuation, tidy
from retclip.text.phi import PHI_TYPES, PhiSpan, count_by_type, find_phi_batch, scrub
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
BATCH_ROWS = 256  # reports cleaned a stage at a time (clean_batch)
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
    return clean_batch([text], params)[0]


def clean_batch(texts: Sequence[object], params: CleanReportsParams) -> list[CleanedReport]:
    """Clean raw reports, one result per text in the same order, a stage at a time.

    Each of :data:`STAGES` runs over the whole batch before the next starts, so its code,
    patterns and memos stay in the CPU's caches: 10-20% faster than taking reports one by one
    through every stage (``benchmarks/clean_reports_speed.py`` measures both, and times each
    stage). A report leaves at the first stage that finds it unusable, with its reason.
    """
    batch = CleaningBatch.of(texts, params)
    for _, stage in STAGES:
        stage(batch)
    return batch.finished()


@dataclass(slots=True)
class _Draft:
    """One report on its way through the stages: ``text`` is the raw report, then its aligned
    form, then the scrubbed and tidied full text."""

    row: int
    text: Any
    spans: list[PhiSpan] = field(default_factory=list)
    lang: str | None = None
    body: str = ""


@dataclass(slots=True)
class CleaningBatch:
    """Reports between stages: the drafts still going on and a result for every row that has
    left (quarantined, or cleaned by the last stage)."""

    params: CleanReportsParams
    drafts: list[_Draft]
    results: list[CleanedReport | None]

    @classmethod
    def of(cls, texts: Sequence[object], params: CleanReportsParams) -> CleaningBatch:
        """The reports as drafts, those in Latin script first: a stage then runs its ASCII
        patterns over one run of reports and its Unicode ones over the other, which keeps each
        in the CPU's caches (results go back to their rows, so order never shows)."""
        drafts = [_Draft(row, text) for row, text in enumerate(texts)]
        drafts.sort(key=_not_ascii)
        return cls(params, drafts, [None] * len(texts))

    def set_aside(self, reason_of: Callable[[_Draft], str | None]) -> None:
        """Keep the drafts that go on; each of the others becomes its row's quarantine result."""
        going_on = []
        for d in self.drafts:
            reason = reason_of(d)
            if reason is None:
                going_on.append(d)
            else:
                self.results[d.row] = _unusable(reason, d.spans, d.lang)
        self.drafts = going_on

    def finished(self) -> list[CleanedReport]:
        """Every row's result, once the last stage has run."""
        done = [r for r in self.results if r is not None]
        if self.drafts or len(done) != len(self.results):
            raise AssertionError("a report left the cleaning stages without a result")
        return done


def _not_ascii(draft: _Draft) -> bool:
    return not (isinstance(draft.text, str) and draft.text.isascii())


def _quarantine_unreadable(batch: CleaningBatch) -> None:
    batch.set_aside(lambda d: _raw_reason(d.text, batch.params))


def _align(batch: CleaningBatch) -> None:
    for d in batch.drafts:
        d.text = align(d.text)


def _find_phi(batch: CleaningBatch) -> None:
    found = find_phi_batch([d.text for d in batch.drafts])
    for d, spans in zip(batch.drafts, found, strict=True):
        d.spans = spans


def _scrub(batch: CleaningBatch) -> None:
    for d in batch.drafts:
        d.text = tidy(scrub(d.text, d.spans))
    batch.set_aside(_no_content_reason)


def _detect_language(batch: CleaningBatch) -> None:
    for d in batch.drafts:
        d.lang = detect_language(d.text)
    batch.set_aside(lambda d: _language_reason(d.lang, batch.params))


def _canonical_punctuation(batch: CleaningBatch) -> None:
    for d in batch.drafts:
        d.text = canonical_punctuation(d.text, d.lang)


def _drop_boilerplate(batch: CleaningBatch) -> None:
    if not batch.params.boilerplate:
        for d in batch.drafts:
            d.body = d.text
        return
    drop = load_dictionaries(tuple(batch.params.dictionaries)).boilerplate
    for d in batch.drafts:
        d.body = drop(d.text)


def _rewrite_terms(batch: CleaningBatch) -> None:
    if batch.params.abbreviations:
        rewriters = load_dictionaries(tuple(batch.params.dictionaries)).rewriters
        for d in batch.drafts:
            d.body = rewriters[d.lang](d.body)
    batch.set_aside(lambda d: _length_reason(d.body, batch.params))


def _split_sections(batch: CleaningBatch) -> None:
    for d in batch.drafts:
        sections = split_sections(d.body)
        batch.results[d.row] = CleanedReport(
            lang=d.lang,
            left_text=sections.left,
            right_text=sections.right,
            patient_text=sections.patient,
            full_text=d.text,
            phi_counts=count_by_type(d.spans),
            phi_spans=tuple(d.spans),
            flags={flag: getattr(sections, flag) for flag in FLAGS},
        )
    batch.drafts = []


STAGES: tuple[tuple[str, Callable[[CleaningBatch], None]], ...] = (
    ("quarantine checks", _quarantine_unreadable),
    ("align", _align),
    ("PHI detection", _find_phi),
    ("scrub + tidy", _scrub),
    ("language", _detect_language),
    ("punctuation", _canonical_punctuation),
    ("boilerplate", _drop_boilerplate),
    ("terms", _rewrite_terms),
    ("sections", _split_sections),
)
"""The cleaning stages in order, by name: PHI is found on the aligned raw text and replaced
before anything else reads it."""


def _raw_reason(text: object, params: CleanReportsParams) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "empty_report"
    return garbled_reason(text, params.min_letter_share)


def _no_content_reason(draft: _Draft) -> str | None:
    return "no_content" if draft.text.lower().strip(" .。!！") in NO_REPORT else None


def _language_reason(lang: str | None, params: CleanReportsParams) -> str | None:
    if lang is None:
        return "no_text"
    if lang not in params.languages and not (lang == "mixed" and params.languages):
        return "language_not_allowed"
    return None


def _length_reason(body: str, params: CleanReportsParams) -> str | None:
    left = len("".join(_PLACEHOLDER.sub("", body).split()))
    if left < max(params.min_chars, 1):
        return "too_short" if left else "empty_after_cleaning"
    return None


def _unusable(reason: str, spans: list[PhiSpan], lang: str | None) -> CleanedReport:
    return CleanedReport(
        lang=lang,
        left_text="",
        right_text="",
        patient_text="",
        full_text="",
        phi_counts=count_by_type(spans),
        phi_spans=tuple(spans),
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
    with _cyclic_gc_paused():  # until the tables are built from the cleaned reports
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


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, then put it back as it was.

    Cleaning makes no reference cycles (a test checks), only many small objects that live
    until the tables are built. The collector kept walking them, and every object the process
    already had: an eighth of the time on 20,000 reports. Reference counting frees the rest.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _clean_all(texts: list, params: CleanReportsParams) -> Iterator[CleanedReport]:
    """Clean in order; in several processes when it pays (large manifests, workers > 1)."""
    batches = [texts[i : i + BATCH_ROWS] for i in range(0, len(texts), BATCH_ROWS)]
    if params.workers == 1 or len(texts) < PARALLEL_MIN_ROWS:
        for batch in batches:
            yield from clean_batch(batch, params)
        return
    chunk = max(1, math.ceil(len(batches) / (params.workers * 8)))
    with ProcessPoolExecutor(params.workers) as pool:
        for cleaned in pool.map(clean_batch, batches, [params] * len(batches), chunksize=chunk):
            yield from cleaned


def _reports_frame(kept: list[tuple[str, CleanedReport]]) -> pd.DataFrame:
    reports = [r for _, r in kept]
    columns: dict[str, Any] = {
        "patient_id": [pid for pid, _ in kept],
        "lang": [r.lang for r in reports],
        "left_text": [r.left_text for r in reports],
        "right_text": [r.right_text for r in reports],
        "patient_text": [r.patient_text for r in reports],
    }
    # flags and counts are dicts in the order of FLAGS and PHI_TYPES: read as one array each
    flags = _matrix([r.flags for r in reports], len(FLAGS), bool)
    counts = _matrix([r.phi_counts for r in reports], len(PHI_TYPES), np.int64)
    columns.update({flag: flags[:, i] for i, flag in enumerate(FLAGS)})
    columns.update({f"phi_{kind}": counts[:, i] for i, kind in enumerate(PHI_TYPES)})
    return pd.DataFrame(columns)


def _matrix(rows: list[dict[str, Any]], width: int, dtype: type) -> np.ndarray:
    values = chain.from_iterable(map(dict.values, rows))
    return np.fromiter(values, dtype, len(rows) * width).reshape(len(rows), width)


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
