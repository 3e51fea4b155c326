"""Failed runs reach a person by email through Dagster's own run-failure sensor, configured from
the environment only (the password included) and off unless the environment names a recipient.

``RETCLIP_ALERT_EMAIL_TO`` (comma-separated), ``RETCLIP_ALERT_EMAIL_FROM``,
``RETCLIP_ALERT_EMAIL_PASSWORD``, ``RETCLIP_ALERT_SMTP_HOST``, and optionally
``RETCLIP_ALERT_SMTP_PORT``, ``RETCLIP_ALERT_SMTP_TYPE`` (``STARTTLS`` or ``SSL``) and
``RETCLIP_WEBSERVER_URL`` (for a link to the failed run).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import dagster as dg


def failure_email_body(context: dg.RunFailureSensorContext) -> str:
    """What failed and why, first: the job, the run, and the failure's message."""
    run = context.dagster_run
    return (
        f"The Dagster run {run.run_id} of {run.job_name} failed.\n\n"
        f"{context.failure_event.message or 'No message was recorded.'}\n"
    )


def email_on_run_failure_sensor(environ: Mapping[str, str]) -> dg.SensorDefinition:
    """The email sensor as ``environ`` configures it; stopped when it names no recipient."""
    recipients = [a.strip() for a in environ.get("RETCLIP_ALERT_EMAIL_TO", "").split(",")]
    recipients = [a for a in recipients if a]
    port = environ.get("RETCLIP_ALERT_SMTP_PORT")
    return dg.make_email_on_run_failure_sensor(
        name="email_on_run_failure",
        email_from=environ.get("RETCLIP_ALERT_EMAIL_FROM", ""),
        email_password=environ.get("RETCLIP_ALERT_EMAIL_PASSWORD", ""),
        email_to=recipients,
        email_body_fn=failure_email_body,
        smtp_host=environ.get("RETCLIP_ALERT_SMTP_HOST", "localhost"),
        smtp_type=environ.get("RETCLIP_ALERT_SMTP_TYPE", "STARTTLS"),
        smtp_port=int(port) if port else None,
        webserver_base_url=environ.get("RETCLIP_WEBSERVER_URL") or None,
        default_status=(
            dg.DefaultSensorStatus.RUNNING if recipients else dg.DefaultSensorStatus.STOPPED
        ),
    )


email_on_run_failure = email_on_run_failure_sensor(os.environ)
