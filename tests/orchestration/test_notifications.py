"""The run-failure email is configured from the environment and off without a recipient."""

import dagster as dg

from orchestration.defs import notifications


def test_the_email_sensor_is_off_without_a_recipient_and_on_with_one():
    off = notifications.email_on_run_failure_sensor({})
    assert off.name == "email_on_run_failure"
    assert off.default_status == dg.DefaultSensorStatus.STOPPED
    on = notifications.email_on_run_failure_sensor(
        {
            "RETCLIP_ALERT_EMAIL_TO": "mlops@example.org, oncall@example.org",
            "RETCLIP_ALERT_EMAIL_FROM": "retclip@example.org",
            "RETCLIP_ALERT_SMTP_HOST": "smtp.example.org",
        }
    )
    assert on.default_status == dg.DefaultSensorStatus.RUNNING


def test_the_email_says_which_run_failed_and_why():
    @dg.op
    def explode():
        raise RuntimeError("stage failed: outputs/validate is not writable")

    @dg.job
    def broken():
        explode()

    with dg.DagsterInstance.ephemeral() as instance:
        result = broken.execute_in_process(instance=instance, raise_on_error=False)
        (entry,) = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="email_on_run_failure",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=entry.dagster_event,
        ).for_run_failure()
        body = notifications.failure_email_body(context)
    assert body.startswith(f"The Dagster run {result.run_id} of broken failed.")
    assert "explode" in body
