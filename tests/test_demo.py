"""`make demo` regenerates the demo data set, and it is exactly the version data.dvc records."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from retclip import demo
from retclip.dvc_repo import Change
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


def test_each_stage_is_same_bytes_or_names_its_files_with_both_md5s():
    changes = {
        "evaluate@0": [
            Change("outputs/evaluate/t/metrics.json", "a" * 32, "b" * 32),
            Change("outputs/evaluate/t/extra.md", None, "c" * 32),
        ],
        "data/raw": [Change("data/raw/patients.csv", "d" * 32, None)],
    }
    metrics = {
        "outputs/evaluate/t/metrics.json": {
            "auroc.mean": {"old": 0.832, "new": 0.831, "diff": -0.001},
            "n": {"old": None, "new": 3},
        }
    }
    text = demo.describe_status(["validate", "evaluate@0"], changes, ["export"], metrics)
    assert text.splitlines() == [
        "1 of 2 stage(s) differ from the committed dvc.lock",
        "not recorded in DVC (dvc status): export",
        "validate: same bytes",
        "evaluate@0: 2 file(s) differ",
        "  outputs/evaluate/t/metrics.json: aaaaaaaaaaaa -> bbbbbbbbbbbb",
        "  outputs/evaluate/t/extra.md: absent -> cccccccccccc",
        "data/raw: 1 file(s) differ",
        "  data/raw/patients.csv: dddddddddddd -> absent",
        "metric outputs/evaluate/t/metrics.json auroc.mean: 0.832 -> 0.831 (-0.001)",
    ]


def test_a_clean_pipeline_is_one_line_per_stage():
    text = demo.describe_status(["validate", "export"], {}, [], {})
    assert text.splitlines() == [
        "all 2 stages: same bytes as the committed dvc.lock",
        "validate: same bytes",
        "export: same bytes",
    ]
