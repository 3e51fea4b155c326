"""A corrupted image folder: the quarantine check fails, says why, and preprocessing waits."""

import re
import shutil
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Dagster
from tests.ui.runs import launch, show_events, wait_until_done

pytestmark = pytest.mark.ui


def test_corrupt_images_fail_the_check_and_block_preprocessing(
    page: Page, dagster: Dagster, tmp_path
):
    images = dagster.project.raw / "images"
    shutil.copytree(images, tmp_path / "images")
    try:
        for i, image in enumerate(sorted(images.glob("*.jpg"))):
            if i % 4:  # three images in four: most patients are left without a usable eye
                image.write_bytes(b"corrupt")
        page.goto(f"/asset-groups~{quote('key:validated or key:preprocessed')}/")
        launch(page, page.get_by_role("button", name=re.compile(r"\bMaterialize all\b")))
        wait_until_done(page, "Failure")
    finally:  # the other tests share the project
        shutil.rmtree(images)
        shutil.copytree(tmp_path / "images", images)
    expect(page.get_by_text("Errored (1)")).to_be_visible()
    expect(page.get_by_text("validated_quarantine_rate_within_limit").first).to_be_visible()
    page.get_by_text("Not executed (2)").click()  # preprocessed and its check never started
    expect(page.get_by_text("preprocessed", exact=True).first).to_be_visible()
    show_events(page, "ASSET_CHECK_EVALUATION")
    expect(
        page.get_by_text(
            "Check quarantine_rate_within_limit failed for materialization of validated."
        )
    ).to_be_visible()
    reason = re.compile(r"^\d+ of \d+ patients quarantined \(\d+%; the limit is 20%\)")
    expect(page.get_by_role("cell").filter(has_text=reason)).to_be_visible()
