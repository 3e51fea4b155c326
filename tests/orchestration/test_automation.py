"""Schedule and sensors evaluate as the daemon would; freshness follows the schedule."""

from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from orchestration.defs import automation, model_assets, release_assets
from orchestration.defs.resources import ArtifactStore


def test_weekly_schedule_is_off_by_default_and_requests_a_retrain():
    schedule = automation.weekly_retraining
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 3 * * 1"
    result = schedule.evaluate_tick(dg.build_schedule_context())
    assert [r.job_name or schedule.job_name for r in result.run_requests] == ["retrain"]


@pytest.mark.parametrize(
    ("asset", "days"), [(model_assets.pretrained, 1), (release_assets.released, 2)]
)
def test_the_model_and_the_release_are_overdue_days_after_a_weekly_tick(asset, days):
    """Each deadline's window opens at a tick of the weekly schedule: a retraining that did not
    land within ``days`` of the tick marks the asset overdue in the UI."""
    policy = asset.get_asset_spec().freshness_policy
    start = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    deadline = next(cron_string_iterator(start, policy.deadline_cron, policy.timezone))
    opens = deadline - policy.lower_bound_delta
    schedule = automation.weekly_retraining
    tick = next(cron_string_iterator(opens.timestamp(), schedule.cron_schedule, "UTC"))
    assert tick == opens and policy.lower_bound_delta.days == days


def test_new_data_version_sensor_fires_once_per_md5(project):
    sensor = automation.new_data_version
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    first = sensor(dg.build_sensor_context(resources={"project": project}))
    assert isinstance(first, dg.RunRequest) and first.run_key.startswith("data-0123")
    again = sensor(
        dg.build_sensor_context(
            cursor="0123456789abcdef0123456789abcdef.dir", resources={"project": project}
        )
    )
    assert isinstance(again, dg.SkipReason)
    (project.path("data.dvc")).write_text("outs:\n- md5: ffff.dir\n  path: data/raw\n")
    changed = sensor(
        dg.build_sensor_context(
            cursor="0123456789abcdef0123456789abcdef.dir", resources={"project": project}
        )
    )
    assert changed.run_key == "data-ffff.dir"


@pytest.fixture
def s3_store(s3, bucket) -> ArtifactStore:
    """The Dagster resource on the session's real object store (credentials from the env)."""
    return ArtifactStore(kind="s3", bucket=bucket, prefix="retclip", endpoint_url=s3.endpoint)


def test_new_s3_objects_sensor(s3_store):
    sensor = automation.new_s3_objects
    context = dg.build_sensor_context(resources={"store": s3_store})
    assert isinstance(sensor(context), dg.SkipReason)
    s3_store.s3().client.put_object(
        Bucket=s3_store.bucket, Key="retclip/incoming/batch1.csv", Body=b"x"
    )
    request = sensor(dg.build_sensor_context(resources={"store": s3_store}))
    assert isinstance(request, dg.RunRequest)
    seen = sensor(
        dg.build_sensor_context(cursor=request.run_key[3:], resources={"store": s3_store})
    )
    assert isinstance(seen, dg.SkipReason)
    local = sensor(dg.build_sensor_context(resources={"store": ArtifactStore()}))
    assert "local" in local.skip_message


def test_s3_artifact_store_publishes_a_folder(s3_store, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "lineage.json").write_text("{}")
    uri = s3_store.publish(tmp_path / "out", "validate")
    assert uri == f"s3://{s3_store.bucket}/retclip/releases/validate.json"
    assert [o["key"] for o in s3_store.s3().list_keys("")] == [
        "retclip/objects/validate/lineage.json",
        "retclip/releases/latest.json",
        "retclip/releases/validate.json",
    ]
