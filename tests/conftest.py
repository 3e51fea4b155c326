"""Shared fixtures: tiny synthetic clinics built on the fly (no data in the repository)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from retclip.config import SynthParams
from retclip.data.synth.clinic import generate_clinic
from retclip.seaweed import SeaweedServer
from retclip.seaweed import start as start_seaweed
from retclip.seaweed import stop as stop_seaweed

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


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory) -> Iterator[SeaweedServer]:
    """One real S3 server (SeaweedFS) for the session on 127.0.0.1, stopped by its pid."""
    server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    yield server
    stop_seaweed(server)


@pytest.fixture
def s3(seaweed, monkeypatch) -> SeaweedServer:
    """The server's credentials and endpoint in the environment, as in production."""
    for name, value in seaweed.environment().items():
        monkeypatch.setenv(name, value)
    return seaweed


@pytest.fixture
def bucket(s3) -> str:
    """A new, empty bucket on the session's server."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3.client().create_bucket(Bucket=name)
    return name


def pytest_collection_modifyitems(items) -> None:
    """Tests that use the object store carry the ``s3`` marker: ``make test-s3`` runs them."""
    for item in items:
        if "seaweed" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.s3)
