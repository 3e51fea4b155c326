"""Jobs, the retraining schedule and the sensors for new data (failure emails: notifications.py).

The schedule and the new-data sensors are off by default: turn them on in the UI (Automation).
"""

import hashlib
import json

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
