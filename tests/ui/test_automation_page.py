"""The Automation page lists the schedule and the sensors, all off by default."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui

OFF_BY_DEFAULT = [
    "weekly_retraining",
    "new_data_version",
    "new_s3_objects",
    "default_automation_condition_sensor",
    "email_on_run_failure",  # on only when RETCLIP_ALERT_EMAIL_TO names a recipient
]


def switch(page: Page, name: str):
    """The on/off switch in the list row of one schedule or sensor."""
    row = page.get_by_role("link").filter(has=page.get_by_text(name, exact=True)).locator("..")
    return row.locator("label[class*=formatSwitch] input")


def test_schedule_and_sensors_are_listed_and_off(page: Page):
    page.goto("/automation")
    for name in OFF_BY_DEFAULT:
        expect(switch(page, name)).not_to_be_checked()
    expect(page.get_by_text("Scheduled At 03:00 AM UTC, only on Monday")).to_be_visible()
