"""What a person does around a run: launch it from a button, open it, read its events."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

RUN_TIMEOUT_MS = 240_000  # a run starts a process per step: about 40 s for `validated` alone


def launch(page: Page, button: Locator) -> None:
    """Click a Materialize button and open the run from the "Launched run" toast."""
    button.click()
    toast = page.get_by_role("listitem").filter(has_text=re.compile(r"Launched run \w+"))
    toast.get_by_role("link", name="View").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]+"))


def wait_until_done(page: Page, status: str) -> None:
    """Wait for the run header to show a final status, and insist it is ``status``."""
    header = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    expect(header).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(header).to_have_text(status)


def show_events(page: Page, event_type: str) -> None:
    """Filter the run's event log down to one event type, as the log's filter box does."""
    page.get_by_role("textbox", name="Filter…").fill(f"type:{event_type}")
    page.keyboard.press("Enter")
