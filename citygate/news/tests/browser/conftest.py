"""The shell's browser harness (Chromium, axe, screenshots), for the newsroom's pages."""

from citygate.shell.tests.browser.conftest import (  # noqa: F401 - fixtures by name
    axe_check,
    axe_source,
    browser,
    context,
    page,
    screenshot,
)
