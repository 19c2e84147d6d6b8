"""The catalogue app's own translation catalogue holds every message it uses, compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citygate.core.tests import catalogues

APP = Path(__file__).resolve().parents[1]
CATALOGUE = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext is not installed",
)


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found is not None
    return found


def test_catalog_catalogue_translates_every_message_in_use(tmp_path: Path) -> None:
    # when: regenerated from a copy of the app (fuzzy entries count as untranslated)
    regenerated = catalogues.app_catalogue_regenerated("catalog", tmp_path)

    # then
    missing, unused = catalogues.untranslated(regenerated), catalogues.unused(regenerated)
    assert regenerated
    assert not missing, f"new messages to translate: {missing}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_catalog_compiled_catalogue_matches_its_source(tmp_path: Path) -> None:
    # when
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        [_tool("msgfmt"), "--check-format", "-o", str(compiled), str(CATALOGUE)],
        check=True,
        capture_output=True,
    )

    # then
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes(), "run msgfmt"
