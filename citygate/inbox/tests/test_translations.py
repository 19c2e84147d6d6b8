"""The inbox's own catalogue holds every message it uses, translated and compiled."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
CATALOGUE = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str, bool, bool]]:
    """(msgid, msgstr, fuzzy, obsolete) of each entry that is not the header."""
    found = []
    for block in re.split(r"\n\s*\n", text.strip()):
        obsolete = block.lstrip().startswith("#~")
        lines = [line.removeprefix("#~ ") for line in block.splitlines()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}
        current: list[str] | None = None
        for line in lines:
            keyword, _, rest = line.partition(" ")
            if keyword in parts:
                current, line = parts[keyword], rest
            elif not line.startswith('"'):
                continue
            if current is not None:
                current.append(line.strip()[1:-1])
        msgid = "".join(parts["msgid"]).encode().decode("unicode_escape").encode("latin-1")
        msgstr = "".join(parts["msgstr"]).encode().decode("unicode_escape").encode("latin-1")
        if msgid:
            found.append((msgid.decode(), msgstr.decode(), fuzzy, obsolete))
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_inbox_catalogue_holds_every_message_in_use(tmp_path: Path) -> None:
    # given: a copy of the app, so the check never edits the tree
    work = tmp_path / APP.name
    shutil.copytree(APP, work, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {**os.environ, "PYTHONPATH": str(APP.parents[1])}
    env["DJANGO_SETTINGS_MODULE"] = "citygate.settings_test"

    # when: the command and its arguments are fixed here, nothing comes from outside (-P: the
    # app's selectors.py must not stand in for the standard library's module of that name)
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )

    # then
    entries = _entries((work / CATALOGUE.relative_to(APP)).read_text(encoding="utf-8"))
    untranslated = [m for m, s, fuzzy, old in entries if not old and (not s or fuzzy)]
    unused = [m for m, _, _, old in entries if old]
    assert entries
    assert not untranslated, f"new messages to translate: {untranslated}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_inbox_compiled_catalogue_matches_its_source() -> None:
    # given
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)

    # then
    stale = [m for m, s, _, old in entries if not old and compiled.gettext(m) != s]
    assert not stale, f"compile the catalogue: {stale[:5]}"
