"""The feed's browser tests use the shell's harness: Chromium, axe-core and screenshots."""

from citygate.shell.tests.browser.conftest import (  # noqa: F401 - fixtures
    axe_check,
    axe_source,
    browser,
    context,
    page,
    screenshot,
)
