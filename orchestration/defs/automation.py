"""Jobs, the retraining schedule, sensors for new data, and the run-failure alert.

The schedule and the new-data sensors are off by default: turn them on in the UI (Automation).
"""

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.cadence import RETRAIN_CRON, TIMEZONE
from orchestration.defs.resources import ArtifactStore, RetclipProject
from retclip.data.version import DataVersionError, raw_data_version

# The task-partitioned evaluation and the release after it cannot share an unpartitioned run:
# they carry AutomationCondition.eager() and follow a retraining on their own (the automation
# sensor requests every evaluation partition, then the export once all are fresh).
AFTER_TRAINING = dg.AssetSelection.assets("evaluation").downstream()

retrain = dg.define_asset_job(
    "retrain",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("raw_data") - AFTER_TRAINING,
    description="Every stage from validation to pre-training on the current data version; "
    "evaluation and release follow automatically.",
    # a failed run is retried from its failed step (run_retries in dagster.yaml), and a retried
    # pre-training continues from its last checkpoint (--resume=auto)
    tags={"dagster/retry_strategy": "FROM_FAILURE"},
)

weekly_retraining = dg.ScheduleDefinition(
    name="weekly_retraining",
    job=retrain,
    cron_schedule=RETRAIN_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Retrain every week on whatever data version data.dvc records.",
)


@dg.sensor(
    job=retrain,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Retrain when data.dvc records a new md5 for data/raw.",
)
def new_data_version(context: dg.SensorEvaluationContext, project: RetclipProject):
    try:
        version = raw_data_version(project.path("data.dvc"))
    except DataVersionError as exc:
        return dg.SkipReason(str(exc))
    if version == context.cursor:
        return dg.SkipReason(f"data version {version} already seen")
    context.update_cursor(version)
    return dg.RunRequest(run_key=f"data-{version}", tags={"retclip/data_version": version})


@dg.sensor(
    job=retrain,
    minimum_interval_seconds=600,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Retrain when new objects arrive under the S3 prefix <prefix>/incoming.",
)
def new_s3_objects(context: dg.SensorEvaluationContext, store: ArtifactStore):
    if store.kind != "s3":
        return dg.SkipReason("the artifact store is local: nothing to watch on S3")
    objects = store.s3().list_keys("incoming")
    if not objects:
        return dg.SkipReason("no objects under incoming/")
    fingerprint = hashlib.sha256(
        json.dumps(sorted((o["key"], o["etag"]) for o in objects)).encode()
    ).hexdigest()[:16]
    if fingerprint == context.cursor:
        return dg.SkipReason("no new objects")
    context.update_cursor(fingerprint)
    return dg.RunRequest(
        run_key=f"s3-{fingerprint}", tags={"retclip/s3_objects": str(len(objects))}
    )


def alerts_file() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME", Path.cwd() / ".dagster_home"))
    return home / "alerts.jsonl"


@dg.run_failure_sensor(
    description="Record every failed run in $DAGSTER_HOME/alerts.jsonl.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_failed_run(context: dg.RunFailureSensorContext) -> None:
    alert = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": context.dagster_run.run_id,
        "job": context.dagster_run.job_name,
        "error": (context.failure_event.message or "")[:500],
    }
    path = alerts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(alert) + "\n")
    context.log.error(f"run {alert['run_id']} of {alert['job']} failed; alert recorded in {path}")
