"""What Dagster materializes is recorded in DVC and pushed; an auditor's clone pulls it back.

The auditor's round trip: every asset materialized through Dagster in one clone, whose DVC remote
is the real object store (SeaweedFS); a second clone in another folder, with the first one gone,
``dvc pull``s the model, the ONNX files and the evaluation metrics byte for byte, and
``retclip lineage`` on the pulled ONNX file reaches the data version of ``data.dvc``.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.defs import evaluation_assets, model_assets, release_assets
from orchestration.defs.resources import ArtifactStore, DvcCommand, RetclipProject, TrainingLauncher
from retclip.config import params_from_dict, params_to_dict
from retclip.data.version import raw_data_version
from retclip.dvc_repo import DvcRepo
from tests.conftest import REPO, tree_digest
from tests.dvc_helpers import DVC, git_commit, run, use_remote
from tests.orchestration.conftest import SMALL_PARAMS, UPSTREAM_OF_EVALUATION
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS

ASSETS = [
    *DATA_ASSETS,
    model_assets.pretrained,
    model_assets.pretrained_patient_only,
    model_assets.model_matches_committed_lock,
    evaluation_assets.eval_clinic,
    evaluation_assets.evaluation,
    release_assets.exported,
]
TASK = "synth_referable_dr"


def dvc_project(root: Path, clinic: Path) -> Path:
    """A git + DVC clone of the project: its dvc.yaml, DVC config, ignores and code, the tiny
    parameters of the Dagster tests, and a small clinic as data/raw (recorded in data.dvc)."""
    root.mkdir()
    run("git", "init", "-q", cwd=root)
    run(DVC, "init", "-q", cwd=root)
    for name in ("dvc.yaml", ".dvcignore", ".gitignore", ".dvc/config"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(
        REPO / "retclip", root / "retclip", ignore=shutil.ignore_patterns("__pycache__")
    )
    resolved = params_to_dict(params_from_dict(SMALL_PARAMS))  # dvc wants every section
    (root / "params.yaml").write_text(yaml.safe_dump(resolved, sort_keys=False))
    shutil.copytree(clinic, root / "data" / "raw")
    shutil.copy(REPO / "data.dvc", root / "data.dvc")
    run(DVC, "commit", "--force", "-q", "data.dvc", cwd=root)  # its md5, as `make demo` does
    return root


@pytest.fixture
def origin(tmp_path, small_clinic, s3, bucket, monkeypatch) -> Path:
    root = dvc_project(tmp_path / "origin", small_clinic)
    use_remote(root, s3, bucket)
    run(DVC, "push", "-q", "data.dvc", cwd=root)  # the data version, as `make demo` pushes it
    git_commit(root, "the project, with data.dvc")
    monkeypatch.chdir(root)  # as `make demo`: lineage.json records paths relative to the project
    return root


def materialize_everything(root: Path) -> list[dg.ExecuteInProcessResult]:
    resources = {
        "project": RetclipProject(root=str(root)),
        "launcher": TrainingLauncher(),
        "store": ArtifactStore(),
        "dvc": DvcCommand(executable=DVC, remote="s3"),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        runs = [
            dg.materialize(
                ASSETS, instance=instance, resources=resources, selection=UPSTREAM_OF_EVALUATION
            ),
            dg.materialize(
                ASSETS,
                instance=instance,
                resources=resources,
                selection=["evaluation"],
                partition_key=TASK,
            ),
            dg.materialize(ASSETS, instance=instance, resources=resources, selection=["exported"]),
        ]
    assert all(result.success for result in runs)
    return runs


def test_an_auditor_pulls_what_dagster_trained(origin, tmp_path, s3, bucket):
    runs = materialize_everything(origin)
    assert "up to date" in run(DVC, "status", cwd=origin)  # everything Dagster wrote is recorded
    locked = yaml.safe_load((origin / "dvc.lock").read_text())["stages"]
    assert set(locked) == {
        "validate",
        "preprocess",
        "clean_reports",
        "tokenizer",
        "pretrain",
        "pretrain_patient_only",
        "eval_clinic",
        "evaluate@0",
        "export",
    }
    (pretrained,) = [
        e
        for e in runs[0].get_asset_materialization_events()
        if e.asset_key.to_user_string() == "pretrained"
    ]
    shown = {
        r.data["output"]: r.data["md5"]
        for r in pretrained.materialization.metadata["dvc_md5"].value.records
    }
    assert shown == {out["path"]: out["md5"] for out in locked["pretrain"]["outs"]}
    assert pretrained.materialization.metadata["dvc_remote"].value == "s3"
    git_commit(origin, "dvc.lock of a Dagster run")  # what a scheduled retraining's owner does

    clone = tmp_path / "months-later"
    run("git", "clone", "-q", str(origin), str(clone), cwd=tmp_path)
    expected = {
        "model": tree_digest(origin / "outputs" / "pretrain" / "model"),
        "onnx": {
            name: tree_digest(origin / "outputs" / "export")[name]
            for name in ("image.onnx", "image.onnx.data", "text.onnx", "text.onnx.data")
        },
        "metrics": (origin / "outputs" / "evaluate" / TASK / "metrics.json").read_bytes(),
    }
    shutil.rmtree(origin)  # the machine that trained it is gone; only git and the remote remain
    use_remote(clone, s3, bucket)
    run(DVC, "pull", cwd=clone)

    assert tree_digest(clone / "outputs" / "pretrain" / "model") == expected["model"]
    pulled = tree_digest(clone / "outputs" / "export")
    assert {name: pulled[name] for name in expected["onnx"]} == expected["onnx"]
    assert (clone / "outputs" / "evaluate" / TASK / "metrics.json").read_bytes() == expected[
        "metrics"
    ]
    lineage = subprocess.run(
        [sys.executable, "-m", "retclip", "lineage", "outputs/export/image.onnx"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lineage.returncode == 0, lineage.stdout + lineage.stderr
    assert raw_data_version(clone / "data.dvc") in lineage.stdout


def test_a_changed_output_is_named_with_both_md5s(tmp_path, small_clinic):
    root = dvc_project(tmp_path / "project", small_clinic)
    out = root / "outputs" / "eval_clinic"
    out.mkdir(parents=True)
    (out / "patients.csv").write_text("patient_id\nP1\n")
    repo = DvcRepo(root, DVC)
    first = repo.commit("eval_clinic")["outputs/eval_clinic"]
    git_commit(root, "first version")
    assert repo.changes_since_commit() == {}
    (out / "patients.csv").write_text("patient_id\nP2\n")
    second = repo.commit("eval_clinic")["outputs/eval_clinic"]
    assert "eval_clinic" not in repo.stages_not_recorded()  # the others never ran
    (change,) = repo.changes_since_commit()["eval_clinic"]
    assert (change.path, change.old != change.new) == ("outputs/eval_clinic/patients.csv", True)
    assert first != second and first.endswith(".dir")
