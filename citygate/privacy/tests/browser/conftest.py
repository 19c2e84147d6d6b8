"""The shell's browser harness (Chromium, axe-core), reused for the privacy pages."""

from citygate.shell.tests.browser.conftest import (  # noqa: F401 - fixtures by import
    axe_check,
    axe_source,
    browser,
    context,
    page,
    screenshot,
)
