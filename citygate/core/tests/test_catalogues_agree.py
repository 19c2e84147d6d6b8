"""One English message reads the same in Chinese wherever it is used.

Django merges every app's catalogue into one: when two apps translate the same message
differently, which one a page shows depends on the order of INSTALLED_APPS, and a test or a
reader of one app sees the other's words. So any message two catalogues share must have one
translation.
"""

from __future__ import annotations

from collections import defaultdict

from citygate.core.tests import catalogues


def test_a_message_in_two_catalogues_has_one_translation() -> None:
    found: defaultdict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for path in sorted(catalogues.CITYGATE.glob(f"**/{catalogues.CATALOGUE_PATH}")):
        where = str(path.relative_to(catalogues.CITYGATE).parts[0])
        for entry in catalogues.entries(path.read_text(encoding="utf-8")):
            if entry.msgid and not entry.obsolete and entry.translations:
                found[(entry.context, entry.msgid)][where] = " | ".join(entry.translations)
    disagreeing = {
        msgid: places for (_, msgid), places in found.items() if len(set(places.values())) > 1
    }
    assert not disagreeing, disagreeing
