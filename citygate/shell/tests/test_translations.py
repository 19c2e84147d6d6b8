"""The project catalogue holds every message of the frame, the shell and core, compiled."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CITYGATE = Path(__file__).resolve().parents[2]
CATALOGUE = CITYGATE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The parts of the tree whose messages live in the project catalogue (see locale/README.md).
SOURCES = ["templates", "shell", "core", "api.py", "locale"]
OTHER_APPS = ["accounts/*", "privacy/*", "directory/*"]


def _entries(text: str) -> list[tuple[str, str, bool, bool]]:
    """(msgid, msgstr, fuzzy, obsolete) of each entry; the header has msgid "".

    For a plural entry these are the singular msgid and msgstr[0] (Chinese has one form).
    """
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        obsolete = all(line.startswith("#~") for line in lines if not line.startswith("#."))
        lines = [line.removeprefix("#~ ") for line in lines]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}
        current: list[str] | None = None
        for line in lines:
            keyword, _, rest = line.partition(" ")
            keyword = {"msgstr[0]": "msgstr"}.get(keyword, keyword)
            if keyword in {"msgid", "msgstr"}:
                current = parts[keyword]
                line = rest
            elif keyword.startswith(("msgid_plural", "msgstr[")):
                current = None
                continue
            elif not line.startswith('"'):
                continue
            if current is not None:
                current.append(line.strip()[1:-1])
        if parts["msgid"] or parts["msgstr"]:
            msgid = "".join(parts["msgid"]).encode().decode("unicode_escape").encode("latin-1")
            msgstr = "".join(parts["msgstr"]).encode().decode("unicode_escape").encode("latin-1")
            entries.append((msgid.decode(), msgstr.decode(), fuzzy, obsolete))
    return entries


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
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
    ignores = [arg for pattern in [*OTHER_APPS, "*/tests/*"] for arg in ("-i", pattern)]
    env = {**os.environ, "PYTHONPATH": str(CITYGATE.parent)}
    env["DJANGO_SETTINGS_MODULE"] = "citygate.settings_test"

    # when: the command and its arguments are fixed here, nothing comes from outside
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", *ignores],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )

    # then
    regenerated = _entries((work / CATALOGUE.relative_to(CITYGATE)).read_text(encoding="utf-8"))
    untranslated = [m for m, s, fuzzy, old in regenerated if m and not old and (not s or fuzzy)]
    unused = [m for m, _, _, old in regenerated if m and old]
    assert not untranslated, f"new messages to translate: {untranslated}"
    assert not unused, f"messages no longer used, remove them: {unused}"


def test_compiled_catalogue_matches_the_source_catalogue() -> None:
    # given
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)

    # then
    plurals = set(re.findall(r'^msgid "(.*)"\nmsgid_plural', CATALOGUE.read_text(), re.M))
    stale = [
        msgid
        for msgid, msgstr, _, old in entries
        if msgid
        and not old
        and (compiled.ngettext(msgid, msgid, 1) if msgid in plurals else compiled.gettext(msgid))
        != msgstr
    ]
    assert not stale, f"run compilemessages: {stale[:5]}"
