"""The catalogue app's own translation catalogue holds every message it uses, compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def _entries(tool_output: str) -> list[str]:
    """The msgid lines of a catalogue a gettext tool printed, without the header's."""
    lines = [line for line in tool_output.splitlines() if line.startswith("msgid ")]
    # The header comes first; a long msgid also starts with 'msgid ""', then its lines.
    return lines[1:] if lines and lines[0] == 'msgid ""' else lines


def test_catalog_catalogue_translates_every_message_in_use(tmp_path: Path) -> None:
    # given: a copy of the app, so the check never writes the tree (nor the project catalogue)
    work = tmp_path / "catalog"
    shutil.copytree(APP, work, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(APP.parents[1])}
    env["DJANGO_SETTINGS_MODULE"] = "citygate.settings_test"

    # when: the arguments are fixed here; django-admin, not "python -m django", so that the
    # app's selectors.py in the working directory does not hide the standard library's
    django_admin = str(Path(sys.executable).with_name("django-admin"))
    subprocess.run(  # noqa: S603
        [django_admin, "makemessages", "-l", "zh_Hans", "-i", "tests/*"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    regenerated = work / CATALOGUE.relative_to(APP)
    untranslated = subprocess.run(  # noqa: S603
        [_tool("msgattrib"), "--untranslated", "--no-obsolete", str(regenerated)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fuzzy = subprocess.run(  # noqa: S603
        [_tool("msgattrib"), "--only-fuzzy", "--no-obsolete", str(regenerated)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    unused = subprocess.run(  # noqa: S603
        [_tool("msgattrib"), "--only-obsolete", str(regenerated)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    # then
    assert _entries(untranslated) == [], "new messages to translate"
    assert _entries(fuzzy) == [], "fuzzy messages to check"
    assert _entries(unused) == [], "messages no longer used, remove them"


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
