import json
import subprocess
import sys

import pytest

from retclip.cli import EXIT_USAGE, STAGES, main
from tests.conftest import REPO, tree_digest

CONTRACT_STAGES = (
    "synth",
    "validate",
    "preprocess",
    "clean-reports",
    "tokenizer",
    "pretrain",
    "evaluate",
    "export",
    "predict",
    "lineage",
)


def test_help_lists_every_stage_of_the_contract():
    done = subprocess.run(
        [sys.executable, "-m", "retclip", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    for stage in CONTRACT_STAGES:
        assert stage in done.stdout
    assert set(CONTRACT_STAGES) <= set(STAGES)


def test_synth_flags_override_params(tmp_path, capsys):
    out = tmp_path / "raw"
    code = main(
        [
            "synth",
            "--out",
            str(out),
            "--patients",
            "3",
            "--seed",
            "5",
            "--image-size",
            "200x150",
            "--lang",
            "en",
            "--dirty-rate",
            "0",
            "--workers",
            "1",
            "--params",
            str(REPO / "params.yaml"),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "3 rows" in printed and "200x150" in printed
    assert len(list((out / "images").glob("*.jpg"))) == 6
    assert (
        "Patient" in (out / "patients.csv").read_text()
        or "Name" in (out / "patients.csv").read_text()
    )


def test_set_is_the_same_as_a_flag(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    base = ["--params", str(REPO / "params.yaml"), "--workers", "1"]
    assert main(["synth", "--out", str(a), "--patients", "2", "--image-size", "128x96", *base]) == 0
    assert (
        main(
            [
                "synth",
                "--out",
                str(b),
                "--set",
                "synth.patients=2",
                "--set",
                "synth.image_size=128x96",
                *base,
            ]
        )
        == 0
    )
    assert tree_digest(a) == tree_digest(b)


def test_bad_parameter_exits_with_usage_error(tmp_path, capsys):
    code = main(["synth", "--out", str(tmp_path / "x"), "--set", "synth.patients=lots"])
    assert code == EXIT_USAGE
    assert "synth.patients" in capsys.readouterr().err
    code = main(["synth", "--out", str(tmp_path / "x"), "--image-size", "huge"])
    assert code == EXIT_USAGE
    code = main(["synth", "--out", str(tmp_path / "x"), "--dirty-rate", "1.5"])
    assert code == EXIT_USAGE
    assert not (tmp_path / "x").exists()


def test_evaluate_names_an_unknown_task(tmp_path, capsys):
    code = main(
        ["evaluate", "--model", str(tmp_path), "--task", "nope", "--out", str(tmp_path / "o")]
    )
    assert code == EXIT_USAGE
    assert "no task 'nope'" in capsys.readouterr().err


def test_eval_clinic_writes_a_clean_clinic_with_lineage(tmp_path):
    out = tmp_path / "eval_clinic"
    settings = ["evaluate.clinic.patients=10", "synth.image_size=128x96", "synth.workers=1"]
    assert main(["eval-clinic", "--out", str(out), *[f"--set={s}" for s in settings]]) == 0
    assert len((out / "patients.csv").read_text().splitlines()) > 10
    assert (out / "truth" / "eyes.csv").is_file()
    assert json.loads((out / "lineage.json").read_text())["stage"] == "eval_clinic"


def test_refuses_to_overwrite_foreign_data(tmp_path, capsys):
    precious = tmp_path / "raw"
    precious.mkdir()
    (precious / "patients.csv").write_text("patient_id\nreal\n")
    assert main(["synth", "--out", str(precious), "--patients", "1", "--workers", "1"]) == 1
    assert "did not write" in capsys.readouterr().err
    assert (precious / "patients.csv").read_text() == "patient_id\nreal\n"
    assert not list(tmp_path.glob(".raw.staging*"))


def test_import_reference_writes_a_model_folder_or_refuses_by_name(tmp_path, capsys):
    from retclip.model.retclip import RetClip
    from tests.model.reference_checkpoint import (
        VOCAB_FILE,
        random_state,
        reference_entries,
        save,
        shrink,
    )

    if not VOCAB_FILE.is_file():
        pytest.skip("../shared/reference is not here")
    checkpoint = save(random_state(shrink(reference_entries())), tmp_path / "ckpt.pt")
    out = tmp_path / "imported"
    args = ["import-reference", str(checkpoint), "--out", str(out), "--vocab", str(VOCAB_FILE)]
    assert main([*args, "--set", "tokenizer.context_length=24"]) == 0
    assert "missing_eye" in capsys.readouterr().out
    assert RetClip.from_pretrained(out).config.context_length == 24
    broken = tmp_path / "broken.pt"
    broken.write_bytes(checkpoint.read_bytes()[:1000])
    assert main(["import-reference", str(broken), "--out", str(tmp_path / "no")]) == EXIT_USAGE
    assert "--vocab" in capsys.readouterr().err
    code = main(
        ["import-reference", str(broken), "--out", str(tmp_path / "no"), "--vocab", str(VOCAB_FILE)]
    )
    assert code == 1 and str(broken) in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("terminal", [True, False])
def test_pretrain_shows_a_bar_in_a_terminal_and_progress_lines_elsewhere(
    tmp_path, monkeypatch, capsys, terminal
):
    from types import SimpleNamespace

    seen = {}

    def pretrain(images, reports, tokenizer, out, params, resume, progress, log):
        seen["bar"] = progress
        if log is not None:
            log("pretrain: step 1/2 (50%), epoch 1/1, loss 1.0000, 9.9 patients/s, ETA 1s")
        out.mkdir()
        (out / "train_summary.json").write_text("{}")
        return SimpleNamespace(
            model_dir=out / "model", steps=2, total_steps=2, patients=4, first_loss=1, last_loss=1
        )

    monkeypatch.setattr("retclip.pipeline.pretrain", pretrain)
    monkeypatch.setattr("sys.stderr.isatty", lambda: terminal)
    args = ["pretrain", "--images", "i", "--reports", "r", "--tokenizer", "t"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert seen["bar"] is terminal
    assert ("pretrain: step 1/2" in capsys.readouterr().err) is not terminal
