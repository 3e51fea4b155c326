"""The asset graph shows every stage, in the groups the README's orchestration table names."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REPO

pytestmark = pytest.mark.ui

NODE_NAMES = "[class*=AssetNode_assetName]"  # the name at the top of each asset's box
GROUP_NAMES = "[class*=ExpandedGroupNode_groupNodeHeaderBox]"
# `RETCLIP_ASSET_GRAPH_PNG=docs/asset_graph.png make test-ui` refreshes the README's picture
SCREENSHOT = os.environ.get("RETCLIP_ASSET_GRAPH_PNG")


def readme_groups() -> dict[str, set[str]]:
    """group -> assets, from the `| asset | group | checks |` table of README.md."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("| asset | group |", 1)[1].split("\n\n", 1)[0]
    groups: dict[str, set[str]] = {}
    for asset, group in re.findall(r"^\| `(\w+)` \| (\w+) \|", table, flags=re.MULTILINE):
        groups.setdefault(group, set()).add(asset)
    return groups


def test_readme_table_names_the_four_groups():
    assert set(readme_groups()) == {"data", "model", "evaluation", "release"}


def test_graph_shows_every_stage_in_its_group(page: Page):
    groups = readme_groups()
    page.set_viewport_size({"width": 1400, "height": 760})
    page.goto("/asset-groups")
    page.get_by_role("button", name="Hide navigation").click()
    page.get_by_role("button", name="panel_show_right").last.click()  # the asset list
    expect(page.get_by_role("img", name="unfold_more")).to_have_count(len(groups))
    page.keyboard.press("Alt+e")  # "Expand all groups"
    expect(page.locator(GROUP_NAMES)).to_have_count(len(groups))
    assert set(page.locator(GROUP_NAMES).all_inner_texts()) == set(groups)
    expect(page.locator(NODE_NAMES)).to_have_count(sum(len(a) for a in groups.values()))
    if SCREENSHOT:  # once the boxes show the materialization status (green)
        expect(page.locator("[style*=background-green]").first).to_be_visible()
        page.screenshot(path=REPO / SCREENSHOT)
    for group, assets in groups.items():
        page.goto(f"/asset-groups~{quote(f'group:{group}')}/")
        expect(page.locator(NODE_NAMES)).to_have_count(len(assets))
        assert set(page.locator(NODE_NAMES).all_inner_texts()) == assets, group
