"""Pre-training through Dagster on a real two-node Slurm cluster (munge, slurmctld, two slurmd on
127.0.0.1, started here and stopped by their pids): the weights equal a one-process run, the
progress lines reach the run log, a terminated run leaves no job behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from safetensors.torch import load_file

from orchestration.defs import model_assets
from orchestration.defs.resources import DvcCommand, TrainingLauncher
from orchestration.defs.slurm import PipesSlurmClient, SlurmJobSpec
from retclip import slurm_cluster
from tests.orchestration.conftest import make_project
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS

pytestmark = pytest.mark.slurm

ASSETS = [*DATA_ASSETS, model_assets.pretrained]
TWO_NODES = TrainingLauncher(mode="slurm", nodes=2, nproc_per_node=1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    slurm_cluster.install()
    running = slurm_cluster.start(tmp_path_factory.mktemp("slurm"), nodes=2)
    yield running
    slurm_cluster.stop(running)
    assert not any(slurm_cluster._alive(pid) for pid in running.pids.values())


@pytest.fixture
def slurm_env(cluster, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", cluster.conf)
    return cluster


def test_two_slurm_nodes_train_like_one_process(tmp_path, small_clinic, slurm_env):
    project = make_project(tmp_path / "project", small_clinic)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            ASSETS,
            instance=instance,
            resources={"project": project, "launcher": TWO_NODES, "dvc": DvcCommand()},
        )
        logged = [e.user_message for e in instance.all_logs(result.run_id)]
    assert result.success
    assert any(m.startswith("slurm: job ") and "submitted (2 node(s))" in m for m in logged)
    progress = [m for m in logged if m.startswith("pretrain: step ")]
    assert progress and progress[-1].endswith("done")  # rank 0's lines, through Pipes
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "pretrained"
    ]
    assert event.materialization.metadata["slurm_job"].value.isdigit()
    assert not slurm_env.run("squeue", "-h").strip()

    one = tmp_path / "one"
    subprocess.run(
        [sys.executable, "-m", "retclip", *model_assets.pretrain_args(project, one)],
        cwd=project.path(),
        check=True,
        capture_output=True,
    )
    two = project.output("pretrain")
    logs = [pd.read_json(out / "metrics.jsonl", lines=True) for out in (one, two)]
    for column in ("loss", "loss_patient", "loss_left", "loss_right"):
        np.testing.assert_allclose(logs[1][column], logs[0][column], rtol=1e-4)
    weights = [load_file(out / "model" / "model.safetensors") for out in (one, two)]
    assert weights[0].keys() == weights[1].keys()
    for name, tensor in weights[0].items():
        np.testing.assert_allclose(
            weights[1][name].numpy(), tensor.numpy(), atol=1e-4, err_msg=name
        )


def test_terminating_the_run_cancels_the_job(tmp_path, small_clinic, slurm_env):
    project = make_project(tmp_path / "project", small_clinic)
    with dg.DagsterInstance.ephemeral() as instance:
        upstream = ["validated", "preprocessed", "cleaned_reports", "tokenizer"]
        assert dg.materialize(
            DATA_ASSETS,
            instance=instance,
            selection=upstream,
            resources={"project": project, "dvc": DvcCommand()},
        ).success
    script = tmp_path / "materialize.py"
    script.write_text(
        textwrap.dedent(f"""
        import dagster as dg
        from orchestration.defs.resources import DvcCommand, RetclipProject, TrainingLauncher
        from tests.orchestration.test_slurm import ASSETS
        project = RetclipProject(root={str(project.root)!r}, params_file="long.yaml")
        dg.materialize(ASSETS, selection=["pretrained"], resources={{
            "project": project, "dvc": DvcCommand(),
            "launcher": TrainingLauncher(mode="slurm", nodes=2)}})
        """)
    )
    long = (project.path() / "params.yaml").read_text().replace("epochs: 4", "epochs: 400")
    (project.path() / "long.yaml").write_text(long)
    root = Path(__file__).resolve().parents[2]
    run = subprocess.Popen(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(root)},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "R" not in squeue_states(slurm_env):
            time.sleep(0.5)
        assert "R" in squeue_states(slurm_env), "the job never ran"
        run.send_signal(signal.SIGINT)  # what terminating a Dagster run does to its step
        run.wait(timeout=120)
    finally:
        run.kill()
    assert squeue_states(slurm_env) == []


def squeue_states(cluster) -> list[str]:
    return cluster.run("squeue", "-h", "-o", "%t").split()


def test_a_failed_job_fails_the_asset_with_its_state_and_log(tmp_path, slurm_env):
    @dg.asset
    def broken(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        client = PipesSlurmClient(SlurmJobSpec())
        run = client.run(context=context, args=["no-such-stage"], cwd=tmp_path, name="broken")
        return run.get_materialize_result()

    result = dg.materialize([broken], raise_on_error=False)
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.user_failure_data
    assert error.description.endswith("ended FAILED (exit code 2:0)")
    assert "invalid choice: 'no-such-stage'" in error.metadata["log_tail"].value
