"""An evaluation partition's page: the AUROC table and the ROC plot of that task."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.prepare import TASK

pytestmark = pytest.mark.ui


def test_partition_page_shows_auroc_table_and_roc_plot(page: Page):
    page.goto(f"/assets/evaluation?view=partitions&partition={TASK}")
    # the innermost table with an AUROC column (the metadata table around it has one too)
    table = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="AUROC"))
    table = table.last
    expect(table.get_by_role("columnheader")).to_have_text(
        ["model", "protocol", "AUROC", "AUPR", "Acc.", "Bal. acc.", "Macro-F1"]
    )
    auroc = re.compile(r"^\d\.\d{3} ± \d\.\d{3}")  # a number, not n/a
    for model in ("RET-CLIP", "RET-CLIP, patient loss only", "random init"):
        row = (
            table.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=model, exact=True))
            .filter(has_text="linear_probe")
        )
        expect(row.get_by_role("cell").nth(2)).to_have_text(auroc)
    roc = page.get_by_role("row").filter(has=page.get_by_role("cell", name="roc", exact=True))
    roc.get_by_text("[Show Markdown]").click()
    plot = page.get_by_role("dialog").get_by_role("img", name=f"ROC curves, {TASK}")
    expect(plot).to_be_visible()
    assert plot.evaluate("img => img.naturalWidth") > 0
