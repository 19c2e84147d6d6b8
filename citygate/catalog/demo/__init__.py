"""The Suzhou demo catalogue: items written as `ItemRecord` JSON, one file per department.

`records()` reads and validates every file; `load()` publishes the items not yet present.
Loaded by `manage.py load_demo_data`, which only runs with DEBUG on.
"""

from __future__ import annotations

import json
from pathlib import Path

from citygate.catalog.content import ItemRecord

ITEMS_DIR = Path(__file__).resolve().parent / "items"


def records() -> list[ItemRecord]:
    found: list[ItemRecord] = []
    for path in sorted(ITEMS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.extend(ItemRecord.model_validate(entry) for entry in data)
    return found


def load() -> int:
    """Publishes every demo item whose code is not in the catalogue yet; returns how many."""
    from citygate.catalog.models import ServiceItem
    from citygate.catalog.services import item_publish_demo

    present = set(ServiceItem.objects.values_list("code", flat=True))
    loaded = 0
    for record in records():
        if record.code in present:
            continue
        item_publish_demo(record=record)
        loaded += 1
    return loaded
