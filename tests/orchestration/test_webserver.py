"""The real webserver on 127.0.0.1 serves the asset graph over GraphQL."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from retclip.seaweed import free_port
from tests.conftest import REPO

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  schedules { name scheduleState { status } } sensors { name sensorState { status } }
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } }
} } } }"""

STAGE_ASSETS = {
    "raw_data",
    "validated",
    "preprocessed",
    "cleaned_reports",
    "tokenizer",
    "pretrained",
    "pretrained_patient_only",
    "eval_clinic",
    "evaluation",
    "exported",
    "released",
}
CHECKS = {
    "kept_data_meet_expectations",
    "quarantine_rate_within_limit",
    "every_valid_eye_preprocessed",
    "no_phi_left_in_cleaned_reports",
    "loss_is_finite_and_fell",
    "model_matches_committed_lock",
    "onnx_parity_within_tolerance",
    "auroc_at_or_above_floor",
    "no_regression_against_last_release",
}


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_graphql_lists_every_asset_check_schedule_and_sensor(tmp_path):
    port = free_port()
    webserver = Path(sys.executable).with_name("dagster-webserver")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "RETCLIP_PROJECT_ROOT": str(REPO)}
    server = subprocess.Popen(
        [str(webserver), "-h", "127.0.0.1", "-p", str(port), "-m", "orchestration.definitions"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "webserver did not start within 120 s"
                assert server.poll() is None, "webserver exited"
                time.sleep(1)
        (repository,) = graphql(port, QUERY)["data"]["repositoriesOrError"]["nodes"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assets = {"/".join(n["assetKey"]["path"]) for n in repository["assetNodes"]}
    checks = {
        c["name"]
        for n in repository["assetNodes"]
        for c in n["assetChecksOrError"].get("checks", [])
    }
    assert assets >= STAGE_ASSETS
    assert checks >= CHECKS
    schedules = {s["name"]: s["scheduleState"]["status"] for s in repository["schedules"]}
    assert schedules == {"weekly_retraining": "STOPPED"}
    sensors = {s["name"]: s["sensorState"]["status"] for s in repository["sensors"]}
    assert set(sensors) == {
        "new_data_version",
        "new_s3_objects",
        "email_on_run_failure",  # off unless RETCLIP_ALERT_EMAIL_TO names a recipient
        "default_automation_condition_sensor",  # evaluation and release follow a retraining
    }
    assert sensors["new_data_version"] == sensors["new_s3_objects"] == "STOPPED"
    assert sensors["email_on_run_failure"] == "STOPPED"
