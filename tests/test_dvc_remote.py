"""The project's DVC remote on S3 works end to end against the real object store (SeaweedFS)."""

import shutil

from tests.conftest import REPO, tree_digest
from tests.dvc_helpers import DVC, git_commit, run, use_remote


def test_push_clone_pull_gives_identical_files(tmp_path, small_clinic, s3, bucket):
    origin = tmp_path / "origin"
    origin.mkdir()
    run("git", "init", "-q", cwd=origin)
    run(DVC, "init", "-q", cwd=origin)
    shutil.copy(REPO / ".dvc" / "config", origin / ".dvc" / "config")  # the project's remote
    shutil.copytree(small_clinic, origin / "data" / "raw")
    use_remote(origin, s3, bucket)
    run(DVC, "add", "-q", "data/raw", cwd=origin)
    git_commit(origin, "data")
    run(DVC, "push", "-q", cwd=origin)
    clone = tmp_path / "clone"
    run("git", "clone", "-q", str(origin), str(clone), cwd=tmp_path)
    assert not (clone / "data" / "raw").exists()
    use_remote(clone, s3, bucket)
    run(DVC, "pull", "-q", cwd=clone)
    assert tree_digest(clone / "data" / "raw") == tree_digest(small_clinic)
