"""Materializing `validated` from its page: the run succeeds and its checks pass."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.runs import launch, show_events, wait_until_done

pytestmark = pytest.mark.ui


def test_materialize_button_runs_validated_and_its_checks(page: Page):
    page.goto("/assets/validated")
    launch(page, page.get_by_role("button", name=re.compile(r"\bMaterialize$")))
    wait_until_done(page, "Success")
    expect(page.get_by_text("Errored (0)")).to_be_visible()
    expect(page.get_by_text("Succeeded (3)")).to_be_visible()  # the asset and its two checks
    show_events(page, "ASSET_CHECK_EVALUATION")
    for check in ("kept_data_meet_expectations", "quarantine_rate_within_limit"):
        expect(
            page.get_by_text(f"Check {check} succeeded for materialization of validated.")
        ).to_be_visible()
