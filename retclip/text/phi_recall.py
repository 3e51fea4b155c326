"""Recall of the PHI scrubber per Safe Harbor category, on reports written apart from it.

Two sets, each from a generator written by its own author without reading the detectors, their
cases or the other set, and importing nothing from them: ``phi_holdout`` (set A) and
``phi_holdout_b`` (set B). A value leaks when any of its letters or digits is left outside
the spans that cleaning replaces; a clinical value (a measurement, a lesion, an eye side, an
eponym, a maker, the province or state) is lost when any of its characters is inside one.
The cleaning stage writes the result into ``phi_audit.json``, so every cleaned data set carries
the recall of the code that cleaned it. Only counts leave this module: never a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import ModuleType

from retclip.config import CleanReportsParams
from retclip.text import phi_holdout, phi_holdout_b
from retclip.text.clean import clean_batch

HOLDOUTS: dict[str, tuple[ModuleType, tuple[int, ...]]] = {
    "A": (phi_holdout, (37, 4242)),
    "B": (phi_holdout_b, (11, 2027)),
}
"""Per set: its generator and seeds. The first seed of each is the one whose leaks were read
while mending the detectors; the second was looked at only as counts."""
REPORTS_PER_SEED = 600
LANGS = ("zh", "en", "mixed")


def measure_recall(
    params: CleanReportsParams,
    holdouts: dict[str, tuple[ModuleType, tuple[int, ...]]] = HOLDOUTS,
    count: int = REPORTS_PER_SEED,
) -> dict:
    """Per set, per category and language: values written and leaked; clinical values kept."""
    return {
        name: _measure_set(module.generate_reports, module.CATEGORIES, seeds, count, params)
        for name, (module, seeds) in holdouts.items()
    }


def _measure_set(
    generate: Callable, categories: tuple[str, ...], seeds, count: int, params
) -> dict:
    total, leaked, clinical, lost = Counter(), Counter(), Counter(), Counter()
    for seed in seeds:
        reports = generate(count, seed)
        cleaned = clean_batch([r.text for r in reports], params)
        for report, result in zip(reports, cleaned, strict=True):
            covered = set()
            for span in result.phi_spans:
                covered.update(range(span.start, span.end))
            for kind, start, end in report.phi:
                total[kind, report.lang] += 1
                leaked[kind, report.lang] += any(
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
                lang: {"values": total[kind, lang], "leaked": leaked[kind, lang]} for lang in LANGS
            }
            for kind in categories
        },
        "values": sum(total.values()),
        "leaked": sum(leaked.values()),
        "clinical_values": {kind: clinical[kind] for kind in sorted(clinical)},
        "clinical_kept": {kind: clinical[kind] - lost[kind] for kind in sorted(clinical)},
    }


def recall_table(measured: dict) -> str:
    """One set's figures as a Markdown table (the README quotes them)."""
    lines = ["| category | zh | en | mixed | recall |", "|---|---|---|---|---|"]
    for kind, by_lang in measured["categories"].items():
        cells = [f"{v['values'] - v['leaked']}/{v['values']}" for v in by_lang.values()]
        values = sum(v["values"] for v in by_lang.values())
        found = values - sum(v["leaked"] for v in by_lang.values())
        lines.append(f"| {kind} | {' | '.join(cells)} | {found / max(1, values):.3f} |")
    kept, clinical = (
        sum(measured["clinical_kept"].values()),
        sum(measured["clinical_values"].values()),
    )
    lines.append(
        f"| clinical values kept | {kept}/{clinical} | | | {kept / max(1, clinical):.4f} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    for name, figures in measure_recall(CleanReportsParams()).items():
        print(f"\nSet {name}, seeds {figures['seeds']}, {figures['reports']} reports")
        print(recall_table(figures))
