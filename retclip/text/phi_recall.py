"""Recall of the PHI scrubber per Safe Harbor category, on reports written apart from it.

The reports come from :mod:`retclip.text.phi_holdout`, which was written without reading the
detectors and imports nothing from them. A value leaks when any of its letters or digits is left
outside the spans that cleaning replaces; a clinical value (a measurement, a lesion, an eye
side, an eponym, the province or state) is lost when any of its characters is inside one. The
cleaning stage writes the result into ``phi_audit.json``, so every cleaned data set carries the
recall of the code that cleaned it. Only counts leave this module: never a value.
"""

from __future__ import annotations

from collections import Counter

from retclip.config import CleanReportsParams
from retclip.text.clean import clean_batch
from retclip.text.phi_holdout import CATEGORIES, generate_reports

SEEDS = (37, 4242)
"""37: the set the detectors were checked on; 4242: a second draw, looked at only as counts."""
REPORTS_PER_SEED = 600


def measure_recall(
    params: CleanReportsParams, seeds: tuple[int, ...] = SEEDS, count: int = REPORTS_PER_SEED
) -> dict:
    """Per category and language: values found and leaked; clinical values kept and lost."""
    total, leaked, clinical, lost = Counter(), Counter(), Counter(), Counter()
    for seed in seeds:
        reports = generate_reports(count, seed)
        cleaned = clean_batch([r.text for r in reports], params)
        for report, result in zip(reports, cleaned, strict=True):
            covered = set()
            for span in result.phi_spans:
                covered.update(range(span.start, span.end))
            lang = "en" if report.lang == "en" else "zh" if report.lang == "zh" else "mixed"
            for kind, start, end in report.phi:
                total[kind, lang] += 1
                leaked[kind, lang] += any(
                    report.text[i].isalnum() and i not in covered for i in range(start, end)
                )
            for kind, start, end in report.keep:
                clinical[kind] += 1
                lost[kind] += any(i in covered for i in range(start, end))
    return {
        "seeds": list(seeds),
        "reports": count * len(seeds),
        "categories": {
            kind: {
                lang: {"values": total[kind, lang], "leaked": leaked[kind, lang]}
                for lang in ("zh", "en", "mixed")
            }
            for kind in CATEGORIES
        },
        "leaked": sum(leaked.values()),
        "values": sum(total.values()),
        "clinical_kept": {kind: clinical[kind] - lost[kind] for kind in sorted(clinical)},
        "clinical_values": {kind: clinical[kind] for kind in sorted(clinical)},
    }


def recall_table(measured: dict) -> str:
    """The figures as a Markdown table (the README quotes it)."""
    lines = ["| category | zh | en | mixed | recall |", "|---|---|---|---|---|"]
    for kind, by_lang in measured["categories"].items():
        cells = [f"{v['values'] - v['leaked']}/{v['values']}" for v in by_lang.values()]
        values = sum(v["values"] for v in by_lang.values())
        found = values - sum(v["leaked"] for v in by_lang.values())
        lines.append(f"| {kind} | {' | '.join(cells)} | {found / values:.3f} |")
    kept, clinical = measured["clinical_kept"], measured["clinical_values"]
    lines.append(
        f"| clinical values kept | {sum(kept.values())}/{sum(clinical.values())} | | | "
        f"{sum(kept.values()) / max(1, sum(clinical.values())):.4f} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(recall_table(measure_recall(CleanReportsParams())))
