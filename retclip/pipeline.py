"""One function per pipeline stage: ``(inputs, output folder, parameters) -> result``.

This is the spine of retclip. The CLI, ``dvc.yaml`` and the Dagster assets are thin faces over
these functions, so every runner does exactly the same work.
"""

from __future__ import annotations

from pathlib import Path

from retclip.config import Params
from retclip.data.synth.clinic import ClinicSummary, generate_clinic


def synth(out: Path, params: Params, progress: bool = True) -> ClinicSummary:
    """Write the synthetic clinic (raw data in the manifest contract) to ``out``."""
    return generate_clinic(Path(out), params.synth, progress=progress)
