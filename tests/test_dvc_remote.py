"""The project's DVC remote on S3 works end to end against a local moto server."""

import os
import shutil
import subprocess
from pathlib import Path

import boto3

from tests.conftest import REPO, tree_digest
from tests.moto_server import moto_s3

DVC = os.environ.get("DVC_BIN") or str(REPO / ".venv-dvc" / "bin" / "dvc")


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_push_clone_pull_gives_identical_files(tmp_path, small_clinic, aws_credentials):
    origin = tmp_path / "origin"
    origin.mkdir()
    run("git", "init", "-q", cwd=origin)
    run(DVC, "init", "-q", cwd=origin)
    shutil.copy(REPO / ".dvc" / "config", origin / ".dvc" / "config")  # the project's remote
    shutil.copytree(small_clinic, origin / "data" / "raw")
    with moto_s3() as endpoint:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="retclip")
        run(DVC, "remote", "modify", "--local", "s3", "endpointurl", endpoint, cwd=origin)
        run(DVC, "add", "-q", "data/raw", cwd=origin)
        run("git", "add", "-A", cwd=origin)
        run("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "data", cwd=origin)
        run(DVC, "push", "-q", cwd=origin)
        clone = tmp_path / "clone"
        run("git", "clone", "-q", str(origin), str(clone), cwd=tmp_path)
        assert not (clone / "data" / "raw").exists()
        run(DVC, "remote", "modify", "--local", "s3", "endpointurl", endpoint, cwd=clone)
        run(DVC, "pull", "-q", cwd=clone)
    assert tree_digest(clone / "data" / "raw") == tree_digest(small_clinic)
