"""Helpers of the back-office tests: staff of two departments, signed-in clients, items."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.test import Client

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.catalog import services
from citygate.catalog.content import ItemRecord
from citygate.catalog.models import ServiceItem
from citygate.directory.models import Department

DEPARTMENT = "public-security"
OTHER_DEPARTMENT = "transport"


def guide(name: str = "居民身份证补领", **overrides: Any) -> dict[str, Any]:
    """A whole, valid `ItemContent` as JSON, every list with entries."""
    content: dict[str, Any] = {
        "name": name,
        "name_en": "Replacing a lost resident ID card",
        "summary": "居民身份证丢失后申请补领。",
        "summary_en": "Apply for a new ID card after losing yours.",
        "item_type": "confirmation",
        "category": "id-residence",
        "implementing_body": "苏州市公安局",
        "audience": ["person"],
        "statutory_limit_days": 60,
        "promised_limit_days": 20,
        "visits": 1,
        "online_depth": 4,
        "appointment": True,
        "scope": "nation",
        "conditions": "本市户籍居民。\n外省户籍居民可跨省通办。",
        "process": ["网上预约", "现场采集人像", "领取新证"],
        "materials": [
            {
                "name": "居民户口簿",
                "form": "original",
                "copies": 0,
                "necessity": "required",
                "e_licence": True,
                "source": "公安机关核发",
                "note": "",
            },
            {
                "name": "本人近期照片",
                "form": "electronic",
                "copies": 0,
                "necessity": "optional",
                "e_licence": False,
                "source": "申请人自备",
                "note": "现场拍摄的无需提供",
            },
        ],
        "fees": [
            {
                "name": "工本费",
                "standard": "40元/证",
                "basis": "发改价格〔2003〕2322号",
                "waivable": True,
            }
        ],
        "legal_basis": ["《中华人民共和国居民身份证法》第十一条"],
        "result": "居民身份证",
        "place": "各派出所户籍窗口",
        "hours": "工作日 9:00-17:00",
        "enquiry_phone": "12345",
        "complaint_phone": "0512-12345",
        "keywords": ["身份证", "补领"],
        "aliases": ["身份证丢了"],
        "life_events": [],
        "faq": [{"question": "补领期间怎么办？", "answer": "可申请临时身份证。"}],
    }
    content.update(overrides)
    return content


def record(code: str, *, department: str = DEPARTMENT, **overrides: Any) -> ItemRecord:
    return ItemRecord.model_validate(
        {"code": code, "department": department, "district": "", "content": guide(**overrides)}
    )


def staff_member(login_name: str, role: Role, department: str = DEPARTMENT) -> User:
    user = User.objects.create_user(login_name=login_name)
    StaffRole.objects.create(
        user=user, role=role, department=Department.objects.get(code=department)
    )
    return user


def signed_in(user: User, *, language: str = "zh-hans") -> Client:
    """A client of a staff member who passed the TOTP step, reading pages in `language`."""
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    session = client.session
    session[STAFF_SESSION_KEY] = int(time.time())
    session.save()
    return client


@dataclass
class Staff:
    clerk: User
    admin: User
    other_admin: User
    # A clerk of another department.
    stranger: User


def staff() -> Staff:
    return Staff(
        clerk=staff_member("clerk.li", Role.CLERK),
        admin=staff_member("admin.wang", Role.DEPARTMENT_ADMIN),
        other_admin=staff_member("admin.zhao", Role.DEPARTMENT_ADMIN),
        stranger=staff_member("clerk.chen", Role.CLERK, OTHER_DEPARTMENT),
    )


def published(code: str, people: Staff, **overrides: Any) -> ServiceItem:
    """An item written by the clerk and published by an administrator, through the services."""
    revision = services.item_create(record=record(code, **overrides), by=people.clerk)
    services.revision_submit(revision_id=revision.pk, by=people.clerk)
    services.revision_publish(revision_id=revision.pk, by=people.admin)
    return ServiceItem.objects.get(code=code)


def editor_post(content: dict[str, Any], *, action: str = "save", **extra: str) -> dict[str, Any]:
    """What the edit page's form posts for `content`, with one blank row after each list."""
    data: dict[str, Any] = {"action": action, **extra}
    for name in (
        "name",
        "name_en",
        "summary",
        "summary_en",
        "item_type",
        "category",
        "implementing_body",
        "statutory_limit_days",
        "promised_limit_days",
        "visits",
        "online_depth",
        "scope",
        "conditions",
        "result",
        "place",
        "hours",
        "enquiry_phone",
        "complaint_phone",
    ):
        data[f"content-{name}"] = str(content.get(name, ""))
    if content.get("appointment"):
        data["content-appointment"] = "on"
    data["content-audience"] = list(content.get("audience", []))
    data["content-life_events"] = list(content.get("life_events", []))
    for name in ("process", "legal_basis", "keywords", "aliases"):
        data[f"content-{name}"] = "\n".join(content.get(name, []))
    for name, fields in (
        ("materials", ("name", "form", "copies", "necessity", "e_licence", "source", "note")),
        ("fees", ("name", "standard", "basis", "waivable")),
        ("faq", ("question", "answer")),
    ):
        rows = list(content.get(name, []))
        data[f"{name}-TOTAL_FORMS"] = str(len(rows) + 1)
        data[f"{name}-INITIAL_FORMS"] = str(len(rows))
        data[f"{name}-MIN_NUM_FORMS"] = "0"
        data[f"{name}-MAX_NUM_FORMS"] = "1000"
        for position, row in enumerate(rows):
            for part in fields:
                value = row.get(part)
                if isinstance(value, bool):
                    if value:
                        data[f"{name}-{position}-{part}"] = "on"
                elif value is not None:
                    data[f"{name}-{position}-{part}"] = str(value)
    return data
