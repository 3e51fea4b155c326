"""The release gate in Dagster: a model that fails a blocking check is held and says why, a
passing one is published with its scores, a forced one records who forced it and why.

The export and the evaluation outputs are written by the test (the files the gate reads), and
``exported`` stands in for the ONNX export over them, so no model is trained; the store is a
local folder or the real object store (SeaweedFS).
"""

import json

import dagster as dg
import pytest
import yaml

from orchestration.defs import release_assets, release_gate
from orchestration.defs.resources import ArtifactStore, RetclipProject
from retclip.lineage import read_lineage, write_lineage
from tests.orchestration.conftest import SMALL_PARAMS
from tests.test_gate import write_metrics

TASK = "synth_referable_dr"  # the one task of SMALL_PARAMS
RELEASE = {"protocol": "linear_probe", "auroc_floor": 0.75, "max_drop": 0.05}


@dg.asset(key="exported", group_name="release")
def exported_as_written(project: RetclipProject) -> dg.MaterializeResult:
    """Stands in for the ONNX export: the folder the test wrote, versioned by its lineage id."""
    lineage_id = read_lineage(project.output("export"))["lineage_id"]
    return dg.MaterializeResult(data_version=dg.DataVersion(lineage_id))


ASSETS = [
    exported_as_written,
    release_gate.onnx_parity_within_tolerance,
    release_gate.auroc_at_or_above_floor,
    release_gate.no_regression_against_last_release,
    release_assets.released,
]


@pytest.fixture
def project(tmp_path) -> RetclipProject:
    root = tmp_path / "project"
    root.mkdir()
    (root / "params.yaml").write_text(yaml.safe_dump({**SMALL_PARAMS, "release": RELEASE}))
    return RetclipProject(root=str(root))


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> ArtifactStore:
    if request.param == "local":
        return ArtifactStore(local_dir=str(tmp_path / "releases"))
    s3, bucket = request.getfixturevalue("s3"), request.getfixturevalue("bucket")
    return ArtifactStore(kind="s3", bucket=bucket, prefix="retclip", endpoint_url=s3.endpoint)


def model(project: RetclipProject, auroc: float, graph: bytes = b"graph") -> None:
    """A model as the gate sees it: its evaluation score and its export with parity."""
    write_metrics(project.output("evaluate"), TASK, auroc)
    out = project.output("export")
    out.mkdir(parents=True, exist_ok=True)
    (out / "image.onnx").write_bytes(graph)
    parity = {"atol": 1e-4, "batch_sizes": [1, 2, 7], "fp32": {"max_abs_diff": 3e-6}}
    (out / "parity.json").write_text(json.dumps(parity))
    write_lineage(out, "export", [], {"auroc": auroc})


def launch(project, store, selection=("exported", "released"), **release_config):
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            ASSETS,
            instance=instance,
            resources={"project": project, "store": store},
            selection=list(selection),
            run_config={"ops": {"released": {"config": release_config}}},
            raise_on_error=False,
        )


def checks(result) -> dict[str, tuple[bool, str]]:
    return {e.check_name: (e.passed, e.description) for e in result.get_asset_check_evaluations()}


def released(result) -> list:
    return [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("released")
    ]


def failure(result) -> str:
    (event,) = result.get_step_failure_events()
    return event.step_failure_data.user_failure_data.description


def test_a_passing_model_ships_and_a_weaker_one_is_held(project, store):
    model(project, auroc=0.90)
    first = launch(project, store)
    assert first.success and all(passed for passed, _ in checks(first).values())
    (published,) = released(first)
    assert published.metadata["forced"].value is False
    last = store.last_release()
    assert last["metrics"] == {"protocol": "linear_probe", "scores": {TASK: 0.90}}
    assert last["forced"] is None and last["dagster_run_id"] == first.run_id
    assert last["name"] == f"export/{read_lineage(project.output('export'))['lineage_id']}"

    model(project, auroc=0.80, graph=b"weaker")  # above the floor, 0.10 below the release
    second = launch(project, store)
    assert not second.success and released(second) == []  # the blocking check stopped it
    passed, why = checks(second)["no_regression_against_last_release"]
    assert not passed
    assert why.startswith(f"Held: worse than the last release {last['name']!r} by more than")
    assert f"{TASK} 0.800 (was 0.900)" in why
    assert store.last_release()["name"] == last["name"]  # nothing new was published


def test_below_the_floor_is_held_even_when_released_runs_alone(project, store):
    model(project, auroc=0.60)
    held = launch(project, store)
    assert not held.success and released(held) == []
    passed, why = checks(held)["auroc_at_or_above_floor"]
    assert not passed and why == f"Held: AUROC below the floor of 0.750 on {TASK} 0.600."
    alone = launch(project, store, selection=["released"])  # no checks in this run
    assert not alone.success and failure(alone) == why
    assert store.last_release() is None


def test_a_forced_release_records_who_forced_it_and_why(project, store):
    model(project, auroc=0.60)
    unexplained = launch(project, store, selection=["released"], force=True)
    assert failure(unexplained) == "Forcing a release needs forced_by and reason."
    forced = launch(
        project,
        store,
        selection=["released"],
        force=True,
        forced_by="dr.lin",
        reason="the floor task's labels are being re-graded",
    )
    assert forced.success
    (published,) = released(forced)
    assert published.metadata["forced_by"].value == "dr.lin"
    assert "re-graded" in published.metadata["force_reason"].value
    assert "| auroc_at_or_above_floor | held |" in published.metadata["gate"].value
    last = store.last_release()
    assert last["forced"] == {
        "by": "dr.lin",
        "reason": "the floor task's labels are being re-graded",
    }
    assert last["gate"]["auroc_at_or_above_floor"]["passed"] is False


def test_bad_input_to_the_gate_holds_with_a_reason(project, tmp_path):
    store = ArtifactStore(local_dir=str(tmp_path / "releases"))
    model(project, auroc=0.90)
    (project.output("evaluate") / TASK / "metrics.json").unlink()
    held = launch(project, store)
    assert not held.success and released(held) == []
    passed, why = checks(held)["auroc_at_or_above_floor"]
    assert not passed and why.startswith("Held: ") and "metrics.json is missing" in why
    model(project, auroc=0.90)
    (tmp_path / "releases" / "releases").mkdir(parents=True)
    (tmp_path / "releases" / "releases" / "latest.json").write_text("{oops")
    unreadable = launch(project, store)
    passed, why = checks(unreadable)["no_regression_against_last_release"]
    assert not passed and why.startswith("Held: the last release cannot be read (")
    assert released(unreadable) == []
