"""The browser test harness: Debian's Chromium driven by Playwright against the live server.

Fixtures: `browser` (one Chromium per test session), `context` and `page` (a phone-sized,
Chinese-speaking visitor per test; the page fails its test if it logs an error, such as a
blocked script or style), `axe_check` (runs axe-core on a page and fails on any violation),
and `screenshot` (saves a PNG under var/screenshots/ for people to look at).

The content security policy stays on: axe is evaluated through the DevTools protocol, which
the policy does not govern, so a page that only works with the policy off still fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from citygate.shell.tests.browser.helpers import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    AxeCheck,
    Screenshot,
    describe_violations,
    new_context,
    watch_errors,
)

# Where Django's test setup keeps each test database's contents for serialized rollback.
SNAPSHOT = "_test_serialized_contents"


def _serialized_contents() -> dict[str, str]:
    snapshots = {c.alias: getattr(c, SNAPSHOT, None) for c in connections.all()}
    return {alias: contents for alias, contents in snapshots.items() if contents}


def _serialized_contents_restore(snapshots: dict[str, str]) -> None:
    for alias, contents in snapshots.items():
        vars(connections[alias])[SNAPSHOT] = contents


def _close_connections() -> None:
    # The connections of Playwright's context (pools included) would otherwise stay open and
    # keep PostgreSQL from dropping the test database.
    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (apt-get install chromium)")
    # Playwright's sync API keeps an asyncio loop on this thread, and Django refuses database
    # work while a loop runs. The tests' own code runs only while that loop is idle.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    snapshots = _serialized_contents()
    try:
        with sync_playwright() as playwright:
            # With that loop running, Django hands this thread other connection objects, which
            # lack the snapshot serialized rollback restores from; give it to them.
            _serialized_contents_restore(snapshots)
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
            _close_connections()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = new_context(browser, live_server.url)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors = watch_errors(page)
    yield page
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (or `make browser-deps`)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source: str) -> AxeCheck:
    def check(page: Page) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        violations = results["violations"]
        if violations:
            found = f"axe found {len(violations)} problem(s) on {page.url}:"
            pytest.fail(f"{found}\n{describe_violations(violations)}", pytrace=False)

    return check


PIN_TAB_BAR = """(pin) => {
  const bar = document.querySelector(".tabbar");
  if (!bar) return;
  document.body.style.position = pin ? "relative" : "";
  bar.style.position = pin && getComputedStyle(bar).position === "fixed" ? "absolute" : "";
}"""


@pytest.fixture
def screenshot() -> Screenshot:
    def save(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # A full-page capture would show the fixed tab bar in the middle of a long page;
        # pinned to the end of the page it shows where it sits when scrolled to the bottom.
        # (Set through the CSSOM: the page's policy blocks an injected stylesheet.)
        page.evaluate(PIN_TAB_BAR, True)
        page.screenshot(path=str(path), full_page=True)
        page.evaluate(PIN_TAB_BAR, False)
        return path

    return save
