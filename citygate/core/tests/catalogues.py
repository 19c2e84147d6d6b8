"""What the translation tests of every app share: reading a catalogue, regenerating an app's
catalogue from its sources, and comparing the compiled catalogue with its source."""

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

CITYGATE = Path(__file__).resolve().parents[2]
CATALOGUE_PATH = Path("locale") / "zh_Hans" / "LC_MESSAGES" / "django.po"
HAS_GETTEXT = shutil.which("xgettext") is not None


@dataclass
class Entry:
    msgid: str = ""
    context: str = ""
    plural: str = ""
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.translations) and all(self.translations)


def entries(text: str) -> list[Entry]:
    """The entries of a catalogue, plural forms included (the header has msgid "")."""
    found = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        entry = Entry(obsolete=all(line.startswith("#~") for line in lines if line.strip()))
        entry.fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        target: list[str] | None = None
        parts: dict[str, list[str]] = {"msgctxt": [], "msgid": [], "msgid_plural": []}
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
        entry.context = "".join(parts["msgctxt"])
        entry.msgid = "".join(parts["msgid"])
        entry.plural = "".join(parts["msgid_plural"])
        entry.translations = ["".join(s) for s in strings]
        found.append(entry)
    return found


def regenerate(work: Path, *ignored: str) -> list[Entry]:
    """Runs makemessages in `work` (a copy of the sources) and reads what it wrote."""
    env = {**os.environ, "PYTHONPATH": str(CITYGATE.parent)}
    env["DJANGO_SETTINGS_MODULE"] = "citygate.settings_test"
    ignores = [arg for pattern in ignored for arg in ("-i", pattern)]
    subprocess.run(  # noqa: S603 - the command and its arguments are fixed here
        # -P: an app's selectors.py must not stand in for the standard library's module.
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans", *ignores],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    return entries((work / CATALOGUE_PATH).read_text(encoding="utf-8"))


def app_catalogue_regenerated(app: str, tmp_path: Path) -> list[Entry]:
    """The app's catalogue as makemessages makes it now from the app's sources.

    The app is copied first, so the check never edits the tree (and never the project
    catalogue, which makemessages would write with the project's settings).
    """
    work = tmp_path / app
    shutil.copytree(CITYGATE / app, work, ignore=shutil.ignore_patterns("__pycache__"))
    return regenerate(work, "tests/*", "static/*")


def untranslated(regenerated: list[Entry]) -> list[str]:
    return [e.msgid for e in regenerated if e.msgid and not e.obsolete and not e.translated]


def unused(regenerated: list[Entry]) -> list[str]:
    return [e.msgid for e in regenerated if e.msgid and e.obsolete]


def stale_compiled(catalogue: Path) -> list[str]:
    """Messages whose compiled translation (the .mo beside it) differs from the source."""
    with catalogue.with_suffix(".mo").open("rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)
    stale = []
    for e in entries(catalogue.read_text(encoding="utf-8")):
        if not e.msgid or e.obsolete:
            continue
        if e.context:  # pgettext and friends: the compiled catalogue keys these by context
            shown = (
                compiled.npgettext(e.context, e.msgid, e.plural, 2)
                if e.plural
                else compiled.pgettext(e.context, e.msgid)
            )
        else:
            shown = (
                compiled.ngettext(e.msgid, e.plural, 2) if e.plural else compiled.gettext(e.msgid)
            )
        if shown != e.translations[0]:
            stale.append(e.msgid)
    return stale
