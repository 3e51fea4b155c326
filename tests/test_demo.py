"""`make demo` regenerates the demo data set, and it is exactly the version data.dvc records."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from retclip import demo
from tests.conftest import REPO

DVC = os.environ.get("DVC_BIN") or str(REPO / ".venv-dvc" / "bin" / "dvc")


@pytest.fixture
def dvc_project(tmp_path, monkeypatch) -> Path:
    """A fresh DVC project holding only what a clone has: params.yaml and data.dvc."""
    assert Path(DVC).exists(), f"{DVC} missing: build it with `make setup`"
    monkeypatch.setenv("DVC_BIN", DVC)
    for name in ("params.yaml", "data.dvc"):
        shutil.copy(REPO / name, tmp_path / name)
    subprocess.run([DVC, "init", "--no-scm", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_regenerated_demo_data_is_the_recorded_version(dvc_project, capsys):
    assert demo.main(["prepare"]) == 0
    printed = capsys.readouterr().out
    recorded = (REPO / "data.dvc").read_text()
    assert (dvc_project / "data.dvc").read_text() == recorded
    status = subprocess.run([DVC, "status", "data.dvc"], capture_output=True, text=True, check=True)
    assert "up to date" in status.stdout
    assert (REPO / "data.dvc").read_text().split("md5: ")[1].split()[0] in printed
    size_mb = sum(p.stat().st_size for p in (dvc_project / "data" / "raw").rglob("*")) / 1e6
    assert size_mb <= 60


def test_other_data_is_reported_and_data_dvc_is_kept(dvc_project):
    (dvc_project / "params.yaml").write_text("synth:\n  patients: 3\n  workers: 1\n")
    with pytest.raises(SystemExit, match=r"not the version recorded in data\.dvc"):
        demo.main(["prepare"])
    assert (dvc_project / "data.dvc").read_text() == (REPO / "data.dvc").read_text()


def test_a_stage_that_differs_is_named_with_its_outputs_sizes_and_metric_values(tmp_path):
    status = {
        "evaluate@0": [
            {"changed deps": {"retclip": "modified"}},
            {"changed outs": {"out/m.json": "modified", "out/d": "deleted"}},
        ],
        "export": [{"changed deps": {"retclip": "modified", "out/d": "deleted"}}],
    }
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "m.json").write_text("x" * 12)
    locked = {"out/m.json": {"size": 10}, "out/d": {"size": 2048, "nfiles": 2}}
    metrics = {
        "out/m.json": {
            "auroc.mean": {"old": 0.832, "new": 0.831, "diff": -0.001},
            "n": {"old": None, "new": 3},
        }
    }
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        text = demo.describe_status(status, locked, metrics)
    finally:
        os.chdir(cwd)
    assert text.splitlines() == [
        "2 stage(s) differ from dvc.lock (output sizes: dvc.lock -> here)",
        "all of them: retclip changed",
        "evaluate@0: outputs out/m.json (10 -> 12 B), out/d (2,048 -> missing)",
        "export: inputs out/d (deleted)",
        "metric out/m.json auroc.mean: 0.832 -> 0.831 (-0.001)",
        "the committed metric values are neither in git nor in the DVC cache here, "
        "so those files are compared by size only",
    ]


def test_the_summary_reads_dvc_itself(tmp_path, monkeypatch):
    """A real DVC project: up to date in one line; once its output changed, the stage named."""
    monkeypatch.setenv("DVC_BIN", DVC)
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run([DVC, "init", "-q"], check=True)
    (tmp_path / "in.txt").write_text("1")
    (tmp_path / "dvc.yaml").write_text(
        "stages:\n  a:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    subprocess.run([DVC, "repro", "-q"], check=True, capture_output=True)
    assert demo._pipeline_status() == "every stage up to date with dvc.lock"
    (tmp_path / "out.txt").write_text("longer")
    assert demo._pipeline_status().splitlines() == [
        "1 stage(s) differ from dvc.lock (output sizes: dvc.lock -> here)",
        "a: outputs out.txt (1 -> 6 B)",
    ]
