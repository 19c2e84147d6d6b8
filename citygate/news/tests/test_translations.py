"""The newsroom's own catalogue holds every message it uses, translated and compiled."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.core.tests import catalogues

APP = "news"


@pytest.mark.skipif(not catalogues.HAS_GETTEXT, reason="GNU gettext is not installed")
def test_news_catalogue_holds_every_message_in_use(tmp_path: Path) -> None:
    # when
    regenerated = catalogues.app_catalogue_regenerated(APP, tmp_path)

    # then
    missing, unused = catalogues.untranslated(regenerated), catalogues.unused(regenerated)
    assert regenerated
    assert not missing, f"new messages to translate: {missing}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_news_compiled_catalogue_matches_its_source() -> None:
    stale = catalogues.stale_compiled(catalogues.CITYGATE / APP / catalogues.CATALOGUE_PATH)
    assert not stale, f"compile the catalogue: {stale[:5]}"
