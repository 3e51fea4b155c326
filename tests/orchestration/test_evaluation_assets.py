"""The held-out clinic, an evaluation partition and the release materialize in-process."""

import dagster as dg

from orchestration.defs import evaluation_assets, model_assets, release_assets, release_gate
from orchestration.defs.resources import ArtifactStore, DvcCommand, TrainingLauncher
from retclip.config import load_params
from retclip.lineage import read_lineage
from tests.orchestration.conftest import UPSTREAM_OF_EVALUATION
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS

TASK = "synth_referable_dr"
FORCED = {"force": True, "forced_by": "ci", "reason": "a test model: its AUROC is undefined"}


def test_partitions_are_the_tasks_of_params_yaml():
    repository_tasks = [t.name for t in load_params(None, []).evaluate.tasks]
    assert evaluation_assets.TASKS.get_partition_keys() == repository_tasks
    assert TASK in repository_tasks


def test_an_evaluation_partition_end_to_end(project, tmp_path):
    assets = [
        *DATA_ASSETS,
        model_assets.pretrained,
        model_assets.pretrained_patient_only,
        evaluation_assets.eval_clinic,
        evaluation_assets.evaluation,
        release_assets.exported,
        release_gate.onnx_parity_within_tolerance,
        release_gate.auroc_at_or_above_floor,
        release_gate.no_regression_against_last_release,
        release_assets.released,
    ]
    store = ArtifactStore(local_dir=str(tmp_path / "releases"))
    resources = {
        "project": project,
        "launcher": TrainingLauncher(),
        "store": store,
        "dvc": DvcCommand(),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        upstream = dg.materialize(
            assets,
            instance=instance,
            resources=resources,
            selection=UPSTREAM_OF_EVALUATION,
        )
        assert upstream.success
        result = dg.materialize(
            assets,
            instance=instance,
            resources=resources,
            selection=["evaluation"],
            partition_key=TASK,
        )
        release = dg.materialize(
            assets,
            instance=instance,
            resources=resources,
            selection=["exported", "released"],
            raise_on_error=False,
        )
        forced = dg.materialize(
            assets,
            instance=instance,
            resources=resources,
            selection=["released"],
            run_config={"ops": {"released": {"config": FORCED}}},
        )
    assert result.success and forced.success
    assert not release.success  # held: this tiny model's AUROC is undefined (a one-class test)
    (event,) = result.get_asset_materialization_events()
    assert event.partition == TASK
    metadata = event.materialization.metadata
    assert "| RET-CLIP | linear_probe |" in metadata["table"].value
    assert "data:image/png" in metadata["roc"].value
    assert "| RET-CLIP, patient loss only | linear_probe |" in metadata["table"].value
    out = project.output("evaluate") / TASK
    lineage = read_lineage(out)
    assert event.materialization.tags["dagster/data_version"] == lineage["lineage_id"]
    roles = [i["role"] for i in lineage["inputs"]]
    assert roles == ["model", "data", "patient_only_model"]
    assert (
        read_lineage(project.output("pretrain_patient_only"))["params"]["pretrain"]["lambda_left"]
        == 0
    )
    (exported,) = (e.materialization for e in release.get_asset_materialization_events())
    assert exported.metadata["parity_max_abs_diff"].value <= 1e-4
    assert "## Evaluation" in exported.metadata["model_card"].value
    checks = {e.check_name: e for e in release.get_asset_check_evaluations()}
    assert checks["onnx_parity_within_tolerance"].passed
    assert not checks["auroc_at_or_above_floor"].passed
    assert "auroc is None, not a number" in checks["auroc_at_or_above_floor"].description
    (published,) = (e.materialization for e in forced.get_asset_materialization_events())
    assert published.metadata["published_at"].value.startswith(str(tmp_path / "releases"))
    last = store.last_release()
    assert last["lineage_id"] == read_lineage(project.output("export"))["lineage_id"]
    assert last["forced"] == {"by": FORCED["forced_by"], "reason": FORCED["reason"]}
    export_lineage = read_lineage(project.output("export"))
    assert [i["role"] for i in export_lineage["inputs"]] == ["model", "evaluation"]
    (project.output("export") / "image.onnx.data").write_bytes(b"tampered")
    tampered = release_gate.onnx_parity_within_tolerance(project=project)
    assert not tampered.passed
    assert tampered.metadata["changed_since_export"].value == ["image.onnx.data"]
