"""The stages end to end on a small synthetic clinic, through the functions every runner uses."""

import json

import pandas as pd
import pytest

from retclip import pipeline
from retclip.cli import main
from retclip.config import Params, params_from_dict
from retclip.data.shards import iter_samples


@pytest.fixture(scope="module")
def params() -> Params:
    return params_from_dict(
        {
            "validate": {"min_short_side": 128, "workers": 2},
            "preprocess": {"size": 96, "shard_size": 5, "workers": 2},
        }
    )


@pytest.fixture(scope="module")
def staged(small_clinic, params, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    pipeline.validate(small_clinic, out / "validate", params, progress=False)
    pipeline.preprocess(small_clinic, out / "validate", out / "preprocess", params, progress=False)
    return out


def test_validate_writes_its_contract(staged, small_params):
    folder = staged / "validate"
    assert {p.name for p in folder.iterdir()} == {
        "manifest.parquet",
        "quarantine.parquet",
        "image_stats.parquet",
        "validation.json",
        "lineage.json",
        "run.json",
    }
    summary = json.loads((folder / "validation.json").read_text())
    valid = pd.read_parquet(folder / "manifest.parquet")
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    assert summary["rows_in"] == small_params.patients
    assert len(valid) + (quarantine["scope"] == "patient").sum() == small_params.patients
    lineage = json.loads((folder / "lineage.json").read_text())
    assert lineage["stage"] == "validate" and "patients.csv" in lineage["input_files"]
    assert set(lineage["files"]) == {
        "manifest.parquet",
        "quarantine.parquet",
        "image_stats.parquet",
        "validation.json",
    }


def test_preprocess_shards_hold_every_valid_eye(staged):
    valid = pd.read_parquet(staged / "validate" / "manifest.parquet")
    stats = pd.read_parquet(staged / "preprocess" / "images.parquet")
    eyes = (valid["left_image"] != "").sum() + (valid["right_image"] != "").sum()
    assert len(stats) == eyes
    samples = []
    for shard in sorted((staged / "preprocess" / "shards").glob("*.tar")):
        with open(shard, "rb") as fh:
            samples += list(iter_samples(fh))
    assert [k for k, _ in samples] == list(valid["patient_id"])
    for (key, members), row in zip(samples, valid.to_dict("records"), strict=True):
        assert ("left.jpg" in members) == bool(row["left_image"])
        assert ("right.jpg" in members) == bool(row["right_image"])
        assert json.loads(members["json"])["patient_id"] == key
    lineage = json.loads((staged / "preprocess" / "lineage.json").read_text())
    upstream = json.loads((staged / "validate" / "lineage.json").read_text())
    assert lineage["inputs"][1]["lineage_id"] == upstream["lineage_id"]


def test_stages_are_deterministic(staged, small_clinic, params, tmp_path):
    pipeline.validate(small_clinic, tmp_path / "validate", params, progress=False)
    pipeline.preprocess(
        small_clinic, tmp_path / "validate", tmp_path / "preprocess", params, progress=False
    )
    for stage in ("validate", "preprocess"):
        a = json.loads((staged / stage / "lineage.json").read_text())["files"]
        b = json.loads((tmp_path / stage / "lineage.json").read_text())["files"]
        assert a == b


def test_cli_stops_on_an_unusable_manifest(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text("patient_id,report\nP1,text\n")
    assert main(["validate", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "required column(s) missing: left_image, right_image" in err
    assert not (tmp_path / "out").exists()


def test_cli_help_documents_the_options(capsys):
    for stage, options in (
        ("validate", ["--raw", "--out", "--workers"]),
        ("preprocess", ["--raw", "--manifest", "--out", "--size"]),
    ):
        with pytest.raises(SystemExit):
            main([stage, "--help"])
        text = capsys.readouterr().out
        assert all(option in text for option in options)


def test_cli_runs_both_stages(small_clinic, tmp_path, capsys):
    common = ["--set", "validate.min_short_side=128", "--workers", "1"]
    assert (
        main(["validate", "--raw", str(small_clinic), "--out", str(tmp_path / "v"), *common]) == 0
    )
    assert "valid patients" in capsys.readouterr().out
    assert (
        main(
            [
                "preprocess",
                "--raw",
                str(small_clinic),
                "--manifest",
                str(tmp_path / "v"),
                "--out",
                str(tmp_path / "p"),
                "--size",
                "64",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    assert "tar shards" in capsys.readouterr().out


def test_lineage_walks_back_to_the_raw_data(staged, capsys):
    shard = next((staged / "preprocess" / "shards").glob("*.tar"))
    assert main(["lineage", str(shard)]) == 0
    text = capsys.readouterr().out
    assert text.index("preprocess") < text.index("validate") < text.index("raw data")
    assert "files match their sha256" in text


def test_lineage_reports_a_modified_file(small_clinic, params, tmp_path, capsys):
    pipeline.validate(small_clinic, tmp_path / "v", params, progress=False)
    with open(tmp_path / "v" / "validation.json", "a") as fh:
        fh.write(" ")
    assert main(["lineage", str(tmp_path / "v"), "--json"]) == 1
    nodes = json.loads(capsys.readouterr().out)
    assert nodes[0]["modified_files"] == ["validation.json"]


def test_clean_reports_and_tokenizer_stages(staged, params, small_clinic, tmp_path, capsys):
    from transformers import AutoTokenizer

    assert (
        main(
            [
                "clean-reports",
                "--manifest",
                str(staged / "validate"),
                "--out",
                str(tmp_path / "reports"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "PHI left (scan)     0" in printed
    audit = json.loads((tmp_path / "reports" / "phi_audit.json").read_text())
    valid = pd.read_parquet(staged / "validate" / "manifest.parquet")
    reports = pd.read_parquet(tmp_path / "reports" / "reports.parquet")
    quarantine = pd.read_parquet(tmp_path / "reports" / "quarantine.parquet")
    assert len(reports) + len(quarantine) == len(valid) == audit["rows_in"]
    assert audit["phi_total"] > 0 and audit["leak_scan"]["leaks"] == 0
    assert (
        main(["tokenizer", "--reports", str(tmp_path / "reports"), "--out", str(tmp_path / "tok")])
        == 0
    )
    tok = AutoTokenizer.from_pretrained(tmp_path / "tok")
    assert tok.convert_ids_to_tokens(tok("[NAME] 视盘")["input_ids"])[1:4] == ["[NAME]", "视", "盘"]
    lineage = json.loads((tmp_path / "tok" / "lineage.json").read_text())
    assert lineage["inputs"][0]["stage"] == "clean_reports"


def test_a_resume_continues_only_checkpoints_of_the_same_lineage(tmp_path):
    from retclip.train.checkpoint import CheckpointError, write_identity

    out = tmp_path / "pretrain"
    assert not pipeline.continues_checkpoints(out, "same", "auto")  # nothing to continue
    assert pipeline.continues_checkpoints(out, "same", True)  # an explicit resume, as before
    write_identity(out / "checkpoints", "same")
    (out / "checkpoints" / "latest.json").write_text('{"step": 2, "path": "step-00000002"}')
    assert pipeline.continues_checkpoints(out, "same", "auto")
    assert pipeline.continues_checkpoints(out, "same", True)
    assert not pipeline.continues_checkpoints(out, "same", False)
    assert not pipeline.continues_checkpoints(out, "other", "auto")  # starts afresh
    with pytest.raises(CheckpointError, match="belongs to another lineage"):
        pipeline.continues_checkpoints(out, "other", True)


def test_the_training_identity_changes_with_what_a_resume_may_not_change(tmp_path):
    def identity(**pretrain):
        params = params_from_dict({"pretrain": pretrain})
        return pipeline.training_identity(tmp_path / "i", tmp_path / "r", tmp_path / "t", params)

    base = identity(lr=1e-3)
    assert identity(lr=1e-3, workers=3, checkpoint_every=7) == base  # resumable changes
    assert identity(lr=2e-3) != base
