"""Report texts as the synthetic clinic writes them, without rendering images: the corpus of
the text benchmarks (run from this folder, which Python puts first on the import path)."""

from __future__ import annotations

import numpy as np

from retclip.config import load_params
from retclip.data.synth.patients import sample_patient
from retclip.data.synth.reports import write_report


def synthetic_reports(count: int, seed: int) -> list[str]:
    """``count`` reports with the demo's language mix and noise (params.yaml, synth)."""
    synth = load_params("params.yaml").synth
    texts = []
    for row in range(count):
        rng = np.random.default_rng([seed, row])
        lang = "zh" if rng.random() < synth.zh_share else "en"
        patient = sample_patient(rng, lang, 0.0)
        report, _ = write_report(
            np.random.default_rng([seed, row, 9]),
            patient.visit,
            patient.left.findings,
            patient.right.findings,
            float(rng.uniform(0, 1)),
        )
        texts.append(report.text)
    return texts
