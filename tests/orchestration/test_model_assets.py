"""Every asset, pre-training through Dagster Pipes included, materializes in-process end to end;
pre-training reports its progress into the run log."""

import json

import dagster as dg

from orchestration.defs import model_assets
from orchestration.defs.resources import DvcCommand, TrainingLauncher
from retclip.lineage import read_lineage
from retclip.model.retclip import RetClip
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS


def test_every_asset_end_to_end(project):
    assets = [*DATA_ASSETS, model_assets.pretrained, model_assets.loss_is_finite_and_fell]
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            assets,
            instance=instance,
            selection=["validated", "preprocessed", "cleaned_reports", "tokenizer", "pretrained"],
            resources={"project": project, "launcher": TrainingLauncher(), "dvc": DvcCommand()},
        )
        logged = [e.user_message for e in instance.all_logs(result.run_id)]
    assert result.success
    # progress through Pipes: in the run log (and so in the terminal of `dg launch`)
    progress = [m for m in logged if m.startswith("pretrain: ")]
    assert progress[0].startswith("pretrain: 8 steps to go (4 epochs of 2 steps, batch 8")
    assert "pretrain: step 1/8 (12%), epoch 1/4, loss " in progress[1]
    assert "patients/s, ETA " in progress[1] and progress[-1].endswith("done")
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert all(checks.values()) and "loss_is_finite_and_fell" in checks
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "pretrained"
    ]
    metadata = event.materialization.metadata
    assert metadata["steps"].value > 0 and "data:image/png" in metadata["loss_curve"].value
    out = project.output("pretrain")
    assert event.materialization.tags["dagster/data_version"] == read_lineage(out)["lineage_id"]
    run = json.loads((out / "run.json").read_text())
    assert run["dagster_run_id"] == result.run_id  # reported from the Pipes subprocess
    RetClip.from_pretrained(out / "model")


def test_the_loss_check_fails_on_a_loss_that_did_not_fall(project):
    out = project.output("pretrain")
    out.mkdir(parents=True)
    rows = [{"step": i, "loss": v} for i, v in enumerate([3.0, 3.1, 3.2, float("nan")])]
    (out / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = model_assets.loss_is_finite_and_fell(project=project)
    assert not result.passed and result.metadata["finite"].value is False


def test_dvc_diff_check_reports_a_project_that_is_no_dvc_repository(project):
    result = model_assets.model_matches_committed_lock(project=project, dvc=DvcCommand())
    assert not result.passed  # the throw-away project is no DVC repository
    assert "dvc diff failed" in result.metadata["dvc_diff"].value
