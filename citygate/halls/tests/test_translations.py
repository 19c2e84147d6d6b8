"""The halls catalogue holds a Chinese translation of every message the app uses, compiled."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
CATALOGUE = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORED = ("-i", "tests/*", "-i", "static/*")


@dataclass
class Entry:
    msgid: str = ""
    plural: str = ""
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False


def _entries(text: str) -> list[Entry]:
    """The entries of a catalogue, plural forms included (the header has msgid "")."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        entry = Entry(obsolete=all(line.startswith("#~") for line in lines))
        entry.fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        target: list[str] | None = None
        parts: dict[str, list[str]] = {"msgid": [], "msgid_plural": []}
        strings: list[list[str]] = []
        for raw in lines:
            line = raw.removeprefix("#~ ")
            keyword, _, rest = line.partition(" ")
            if keyword in parts:
                target = parts[keyword]
            elif keyword.startswith("msgstr"):
                strings.append([])
                target = strings[-1]
            elif not line.startswith('"'):
                continue
            else:
                rest = line
            if target is not None:
                target.append(json.loads(rest))
        entry.msgid = "".join(parts["msgid"])
        entry.plural = "".join(parts["msgid_plural"])
        entry.translations = ["".join(s) for s in strings]
        entries.append(entry)
    return entries


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_halls_catalogue_holds_every_message_in_use(tmp_path: Path) -> None:
    # given: a copy of the app, so the check never edits the tree
    work = tmp_path / "halls"
    shutil.copytree(APP, work, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(APP.parents[1])}
    env["DJANGO_SETTINGS_MODULE"] = "citygate.settings_test"

    # when: the command and its arguments are fixed here, nothing comes from outside
    subprocess.run(  # noqa: S603
        # -P: the app's selectors.py must not stand in for the standard library's module.
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans", *IGNORED],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )

    # then
    regenerated = _entries((work / CATALOGUE.relative_to(APP)).read_text(encoding="utf-8"))
    current = [e for e in regenerated if e.msgid and not e.obsolete]
    untranslated = [e.msgid for e in current if e.fuzzy or not all(e.translations)]
    unused = [e.msgid for e in regenerated if e.msgid and e.obsolete]
    assert current
    assert not untranslated, f"new messages to translate: {untranslated}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_halls_compiled_catalogue_matches_the_source() -> None:
    # given
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)

    # then
    stale = [
        e.msgid
        for e in entries
        if e.msgid
        and not e.obsolete
        and (compiled.ngettext(e.msgid, e.plural, 2) if e.plural else compiled.gettext(e.msgid))
        != e.translations[0]
    ]
    assert not stale, f"run compilemessages: {stale[:5]}"
