"""Shared fixtures: tiny synthetic clinics built on the fly (no data in the repository)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from retclip.config import SynthParams
from retclip.data.synth.clinic import generate_clinic

REPO = Path(__file__).resolve().parents[1]


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, keyed by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def small_params() -> SynthParams:
    return SynthParams(patients=24, seed=11, image_size=(256, 192), dirty_rate=0.5, workers=1)


@pytest.fixture(scope="session")
def small_clinic(tmp_path_factory, small_params) -> Path:
    out = tmp_path_factory.mktemp("clinic") / "raw"
    generate_clinic(out, small_params, progress=False)
    return out


@pytest.fixture
def aws_credentials(monkeypatch) -> None:
    """Fake credentials for the local moto server, through the environment as in production."""
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
