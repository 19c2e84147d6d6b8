"""The project catalogue holds every message of the frame, the shell and core, compiled."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citygate.core.tests import catalogues

CITYGATE = catalogues.CITYGATE
CATALOGUE = CITYGATE / catalogues.CATALOGUE_PATH
# The parts of the tree whose messages live in the project catalogue (see locale/README.md).
SOURCES = ["templates", "shell", "core", "api.py", "locale"]
OTHER_APPS = ["accounts/*", "privacy/*", "directory/*"]  # not copied, and ignored besides


@pytest.mark.skipif(not catalogues.HAS_GETTEXT, reason="GNU gettext is not installed")
def test_project_catalogue_holds_every_message_in_use(tmp_path: Path) -> None:
    # given: a copy of the sources and the catalogue, so the check never edits the tree
    work = tmp_path / "citygate"
    for name in SOURCES:
        source = CITYGATE / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            work.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / name)

    # when
    regenerated = catalogues.regenerate(work, *OTHER_APPS, "*/tests/*")

    # then
    untranslated, unused = catalogues.untranslated(regenerated), catalogues.unused(regenerated)
    assert not untranslated, f"new messages to translate: {untranslated}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_compiled_catalogue_matches_the_source_catalogue() -> None:
    stale = catalogues.stale_compiled(CATALOGUE)
    assert not stale, f"run compilemessages: {stale[:5]}"
