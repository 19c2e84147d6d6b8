"""Items for the catalogue's tests, published through the demo-publishing service."""

from __future__ import annotations

from typing import Any

from citygate.catalog.content import ItemRecord
from citygate.catalog.models import ServiceItem
from citygate.catalog.services import item_publish_demo

_counter = {"n": 0}


def item_content(name: str, **overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "name": name,
        "name_en": "",
        "summary": "",
        "item_type": "public_service",
        "category": "id-residence",
        "implementing_body": "苏州市有关部门",
        "audience": ["person"],
        "statutory_limit_days": 20,
        "promised_limit_days": 5,
        "visits": 1,
        "online_depth": 3,
    }
    content.update(overrides)
    return content


def publish(
    name: str, *, department: str = "public-security", district: str = "", **content: Any
) -> ServiceItem:
    _counter["n"] += 1
    code = content.pop("code", f"T-{_counter['n']:05d}")
    record = ItemRecord.model_validate(
        {
            "code": code,
            "department": department,
            "district": district,
            "content": item_content(name, **content),
        }
    )
    return item_publish_demo(record=record)
