"""Browser tests of the Dagster UI: one `dg dev` and one prepared project for the session.

They run only with RETCLIP_UI_TESTS=1 (`make test-ui`): they need chromium and take minutes,
so a plain `pytest` (`make test`) lists them as skipped rather than failing without a browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from orchestration.defs.resources import RetclipProject
from tests.ui.dagster_dev import dg_dev
from tests.ui.prepare import make_dagster_home, make_ui_project, materialize_upstream

CHROMIUM = os.environ.get("RETCLIP_CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download is unreachable here: the Debian chromium, kept off the
# network (background networking refused by the closed network stalls it otherwise).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # the first page of a cold server on 2 cores takes a while
FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: drives the Dagster UI in chromium (make test-ui)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("RETCLIP_UI_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="browser test: run with make test-ui (RETCLIP_UI_TESTS=1)")
    for item in items:
        if item.get_closest_marker("ui"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@dataclass(frozen=True)
class Dagster:
    """The served UI and the project behind it."""

    url: str
    project: RetclipProject


@pytest.fixture(scope="session")
def dagster(tmp_path_factory, small_clinic) -> Iterator[Dagster]:
    base = tmp_path_factory.mktemp("ui")
    project = make_ui_project(base / "project", small_clinic)
    home = make_dagster_home(base / "dagster_home")
    materialize_upstream(project, home)
    with dg_dev(Path(project.root), home, base / "dg_dev.log") as url:
        yield Dagster(url, project)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, dagster: Dagster, request, tmp_path) -> Iterator[Page]:
    """A fresh tab on the UI; on failure every page of the test is saved under tmp_path."""
    context = browser.new_context(base_url=dagster.url, viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(FAILED, False):
        for i, opened in enumerate(context.pages):
            name = re.sub(r"[^A-Za-z0-9]+", "_", opened.url.removeprefix(dagster.url))
            opened.screenshot(path=tmp_path / f"{i}{name[:80]}.png", full_page=True)
    context.close()
