"""An asset's page shows what a person checks first: the quarantine, a sample, the lineage."""

import pytest
from playwright.sync_api import Page, expect

from retclip.lineage import read_lineage
from tests.ui.conftest import Dagster

pytestmark = pytest.mark.ui


def metadata_row(page: Page, key: str):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=key, exact=True))


def test_validated_shows_the_quarantine_table_and_lineage_id(page: Page, dagster: Dagster):
    page.goto("/assets/validated")
    reasons = metadata_row(page, "quarantine_reasons").get_by_role("table")
    expect(reasons.get_by_role("columnheader")).to_have_text(["reason", "count"])
    expect(reasons.get_by_role("row").filter(has_text="file_missing")).to_be_visible()
    lineage_id = read_lineage(dagster.project.output("validate"))["lineage_id"]
    expect(metadata_row(page, "lineage_id").get_by_role("cell").last).to_have_text(lineage_id)


def test_preprocessed_shows_its_sample_image(page: Page):
    page.goto("/assets/preprocessed")
    metadata_row(page, "samples").get_by_text("[Show Markdown]").click()
    image = page.get_by_role("dialog").get_by_role("img", name="first 16 preprocessed eyes")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0  # decoded, not a broken image
