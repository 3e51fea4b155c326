"""Running git and dvc in throw-away projects, and pointing a project's remote at the test S3."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from retclip.seaweed import SeaweedServer
from tests.conftest import REPO

DVC = os.environ.get("DVC_BIN") or str(REPO / ".venv-dvc" / "bin" / "dvc")


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def git_commit(cwd: Path, message: str) -> None:
    run("git", "add", "-A", cwd=cwd)
    run("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message, cwd=cwd)


def use_remote(cwd: Path, s3: SeaweedServer, bucket: str) -> None:
    """The project's remote ``s3`` (.dvc/config) on the test server, in .dvc/config.local, as a
    user points it at MinIO or AWS without touching the repository."""
    run(DVC, "remote", "modify", "--local", "s3", "url", f"s3://{bucket}/dvc", cwd=cwd)
    run(DVC, "remote", "modify", "--local", "s3", "endpointurl", s3.endpoint, cwd=cwd)
