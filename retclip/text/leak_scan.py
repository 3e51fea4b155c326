"""A second look for PHI in cleaned reports, independent of the scrubbing pass's bookkeeping.

Two tests: the detector run again on every cleaned text must find nothing, and no PHI value
found in a raw report may appear verbatim in that patient's cleaned texts. Only counts leave this
module: never a value.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from retclip.text.normalize import align
from retclip.text.phi import find_phi

TEXT_COLUMNS = ("left_text", "right_text", "patient_text")
MIN_VALUE_CHARS = 4  # shorter values ("Li", "5") occur in clinical text by chance


def scan_for_phi(reports: pd.DataFrame, manifest: pd.DataFrame) -> dict:
    """Counts of PHI left in ``reports`` (cleaned) given the raw ``manifest`` reports."""
    raw = dict(zip(manifest["patient_id"].astype(str), manifest["report"], strict=False))
    detector, verbatim = Counter(), Counter()
    for record in reports.to_dict("records"):
        texts = [str(record[c]) for c in TEXT_COLUMNS]
        for text in texts:
            detector.update(span.type for span in find_phi(align(text)))
        source = align(str(raw.get(str(record["patient_id"]), "")))
        joined = "\n".join(texts)
        for span in find_phi(source):
            value = source[span.start : span.end].strip()
            if len(value) >= MIN_VALUE_CHARS and value in joined:
                verbatim[span.type] += 1
    return {
        "rows_scanned": len(reports),
        "detector_hits": dict(sorted(detector.items())),
        "verbatim_leaks": dict(sorted(verbatim.items())),
        "leaks": sum(detector.values()) + sum(verbatim.values()),
    }
