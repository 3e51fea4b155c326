"""A model below the release floor: the gate's check fails with its one sentence in the UI, and
`released` is not executed, so nothing is published."""

import re
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.ui.conftest import Dagster
from tests.ui.runs import launch, show_events, wait_until_done

pytestmark = pytest.mark.ui


def test_a_model_below_the_floor_is_held_and_says_why(page: Page, dagster: Dagster):
    params_file = dagster.project.path(dagster.project.params_file)
    saved = params_file.read_text()
    params = yaml.safe_load(saved)
    params["release"] = {**params.get("release", {}), "auroc_floor": 1.0}  # no model reaches it
    params_file.write_text(yaml.safe_dump(params))
    try:
        page.goto(f"/asset-groups~{quote('key:exported or key:released')}/")
        launch(page, page.get_by_role("button", name=re.compile(r"\bMaterialize all\b")))
        wait_until_done(page, "Failure")
    finally:  # the other tests share the project
        params_file.write_text(saved)
    page.get_by_text(re.compile(r"^Not executed \(\d+\)$")).click()
    expect(page.get_by_text("released", exact=True).first).to_be_visible()
    show_events(page, "ASSET_CHECK_EVALUATION")
    expect(
        page.get_by_text("Check auroc_at_or_above_floor failed for materialization of exported.")
    ).to_be_visible()
    held = re.compile(r"^Held: AUROC below the floor of 1\.000 on synth_referable_dr \d\.\d{3}\.$")
    expect(page.get_by_text(held).first).to_be_visible()
