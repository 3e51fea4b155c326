"""A pre-training killed with SIGKILL in the middle of a Dagster run is retried from the failed
step, as the daemon's run retries do (``ReexecutionOptions.from_failure``), and continues from
its last checkpoint to the same weights, bit for bit, as a run that was never interrupted."""

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import dagster as dg
import yaml

from orchestration.defs import model_assets
from orchestration.defs.resources import DvcCommand, RetclipProject, TrainingLauncher
from retclip.lineage import read_lineage, sha256_file
from tests.conftest import REPO
from tests.orchestration.conftest import SMALL_PARAMS
from tests.orchestration.test_data_assets import ASSETS as DATA_ASSETS

UPSTREAM = ["validated", "preprocessed", "cleaned_reports", "tokenizer"]
STEPS = 16  # 8 epochs of 2 steps, a checkpoint every 2: the kill lands long before the end
PROJECT_ENV = "RETCLIP_RETRY_TEST_PROJECT"
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def pretrain_job() -> dg.JobDefinition:
    """The pre-training as a job that can be re-executed from a failure (reconstructable: the
    project folder comes from the environment, as a run worker would get it)."""
    resources = {
        "project": RetclipProject(root=os.environ[PROJECT_ENV]),
        "launcher": TrainingLauncher(),
        "dvc": DvcCommand(),
    }
    job = dg.define_asset_job("pretrain", selection=["pretrained"])
    definitions = dg.Definitions(
        assets=[*DATA_ASSETS, model_assets.pretrained], jobs=[job], resources=resources
    )
    return definitions.resolve_job_def("pretrain")


def kill_after_first_checkpoint(out: Path, killed: list[int], ended: threading.Event) -> None:
    """SIGKILL the ``retclip pretrain`` process writing ``out`` (a folder of this test alone)
    once it wrote a checkpoint."""
    while not (out / "checkpoints" / "latest.json").is_file():
        if ended.is_set():  # the run ended before a checkpoint: nothing to kill
            return
        time.sleep(0.05)
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"pretrain" in command and str(out).encode() in command:
            os.kill(int(cmdline.parent.name), signal.SIGKILL)
            killed.append(int(cmdline.parent.name))


def steps_to_go(instance: dg.DagsterInstance, run_id: str) -> str:
    (line,) = [
        e.user_message
        for e in instance.all_logs(run_id)
        if e.user_message.startswith("pretrain: ") and "steps to go" in e.user_message
    ]
    return line


def test_a_killed_pretraining_is_retried_from_its_checkpoint_to_the_same_weights(
    project, monkeypatch
):
    params = {**SMALL_PARAMS, "pretrain": {**SMALL_PARAMS["pretrain"], "epochs": 8}}
    params["pretrain"]["checkpoint_every"] = 2
    project.path("params.yaml").write_text(yaml.safe_dump(params))
    monkeypatch.setenv(PROJECT_ENV, project.root)
    monkeypatch.chdir(REPO)  # where the reconstructable job's module is importable from
    out = project.output("pretrain")
    job = dg.reconstructable(pretrain_job)
    with dg.instance_for_test() as instance:
        upstream = dg.materialize(
            DATA_ASSETS,
            instance=instance,
            resources={"project": project, "dvc": DvcCommand()},
            selection=UPSTREAM,
        )
        assert upstream.success
        whole = dg.execute_job(job, instance, run_config=IN_PROCESS)
        assert whole.success
        uninterrupted = sha256_file(out / "model" / "model.safetensors")
        lineage_id = read_lineage(out)["lineage_id"]  # model, loss curve and summary: same bytes

        shutil.rmtree(out)  # a fresh run, killed after its first checkpoint
        killed: list[int] = []
        ended = threading.Event()
        watcher = threading.Thread(target=kill_after_first_checkpoint, args=(out, killed, ended))
        watcher.start()
        crashed = dg.execute_job(job, instance, run_config=IN_PROCESS, raise_on_error=False)
        ended.set()
        watcher.join()
        assert killed and not crashed.success
        assert "step 16/16" not in " ".join(
            e.user_message for e in instance.all_logs(crashed.run_id)
        )

        retry = dg.execute_job(
            job,
            instance,
            run_config=IN_PROCESS,
            reexecution_options=dg.ReexecutionOptions.from_failure(crashed.run_id, instance),
        )
        assert retry.success
        assert retry.dagster_run.parent_run_id == crashed.run_id
        resumed = steps_to_go(instance, retry.run_id)
    assert not resumed.startswith(f"pretrain: {STEPS} steps to go")  # it did not start over
    assert sha256_file(out / "model" / "model.safetensors") == uninterrupted
    assert read_lineage(out)["lineage_id"] == lineage_id
