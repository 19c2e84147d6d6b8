"""Every page of the shell through axe-core: both languages, both modes, phone and desktop."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from citygate.shell.tests.browser.helpers import (
    VIEWPORTS,
    AxeCheck,
    Screenshot,
    open_page,
    set_display,
)

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; the rollback restores the seeded reference data
    # (agreements, departments) that the flush after each test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHELL_PAGES = {
    "home": "/",
    "services": "/services/",
    "category": "/services/social-security/",
    "messages": "/messages/",
    "search": "/search/",
    "offline": "/offline/",
    "styleguide": "/styleguide/",
    "terms": "/privacy/agreements/terms/",
    "privacy": "/privacy/agreements/privacy/",
}
LANGUAGES = ["zh-hans", "en"]
MODES = ["standard", "elderly"]


# Every language and mode on a phone; on a wide screen, where only the frame's layout changes,
# Chinese in the standard mode and English in elderly mode between them cover it.
COMBINATIONS = [
    *[("phone", language, mode) for language in LANGUAGES for mode in MODES],
    ("desktop", "zh-hans", "standard"),
    ("desktop", "en", "elderly"),
]


@pytest.mark.parametrize(("viewport", "language", "mode"), COMBINATIONS)
def test_shell_pages_pass_axe(
    context: BrowserContext,
    page: Page,
    live_server: Any,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    viewport: str,
    language: str,
    mode: str,
) -> None:
    # given: one visitor per language, mode and screen, going through every page (one test
    # per combination rather than per page keeps the browser suite fast)
    set_display(context, live_server.url, language=language, elderly=mode == "elderly")
    page.set_viewport_size(VIEWPORTS[viewport])
    expected_lang = "zh-Hans" if language == "zh-hans" else "en"

    for name, path in SHELL_PAGES.items():
        # when
        open_page(page, path)

        # then
        assert page.get_attribute("html", "lang") == expected_lang, path
        assert ("elderly" in (page.get_attribute("html", "class") or "")) == (mode == "elderly")
        axe_check(page)
        screenshot(page, f"{name}-{language}-{mode}-{viewport}")
