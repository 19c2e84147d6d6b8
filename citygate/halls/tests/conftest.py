"""Fixtures of the halls tests: items, a hall open Monday to Friday, residents, clerks.

Service tests pass `now` to the services, so that they run in a week of the real calendar
that holds National Day 2026: MONDAY_MORNING is Monday 2026-09-28 at 08:00 in Suzhou.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.accounts.testing import signed_in_client
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.directory.models import Department, District
from citygate.halls.models import Hall, HallItem, HallLevel, HallSession, HallStaff, Slot
from citygate.privacy.testing import consent_all_required

TZ = timezone.get_default_timezone()
MONDAY = date(2026, 9, 28)
MONDAY_MORNING = datetime(2026, 9, 28, 8, 0, tzinfo=TZ)
# Fictional numbers: the 199 9999 range belongs to nobody outside these tests.
PHONE = "19999990301"
OTHER_PHONE = "19999990302"
NAME = "林晓梅"

ItemFactory = Callable[..., ServiceItem]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Suzhou."""
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def make_item(
    code: str, *, appointment: bool = True, name_zh: str = "", name_en: str = ""
) -> ServiceItem:
    item, _ = ServiceItem.objects.get_or_create(
        code=code,
        defaults={
            "department": Department.objects.get(code="public-security"),
            "status": ItemStatus.PUBLISHED,
            "name_zh": name_zh or f"测试事项{code}",
            "name_en": name_en or f"Test item {code}",
            "appointment": appointment,
            "for_person": True,
        },
    )
    return item


def make_hall(
    code: str,
    *,
    district: str = "320508",
    latitude: str = "31.300000",
    longitude: str = "120.600000",
    level: str = HallLevel.DISTRICT,
) -> Hall:
    hall = Hall.objects.create(
        code=code,
        name_zh=f"测试大厅{code}",
        name_en=f"Test hall {code}",
        level=level,
        district=District.objects.get(code=district),
        address_zh="苏州市姑苏区测试路1号",
        address_en="1 Test Road, Gusu District, Suzhou",
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
        phone="0512-12345",
        hours_zh="周一至周五 9:00-12:00，13:30-17:00",
        hours_en="Monday to Friday 9:00-12:00, 13:30-17:00",
    )
    for weekday in range(5):
        HallSession.objects.create(hall=hall, weekday=weekday, start=time(9), end=time(12))
        HallSession.objects.create(hall=hall, weekday=weekday, start=time(13, 30), end=time(17))
    return hall


def make_resident(phone: str, *, name: str = "") -> User:
    user = User.objects.create_user(phone=phone, name=name or None)
    consent_all_required(user)
    return user


def make_clerk(login_name: str, hall: Hall | None) -> User:
    user = User.objects.create_user(login_name=login_name, name="王建国")
    StaffRole.objects.create(
        user=user, role=Role.CLERK, department=Department.objects.get(code="public-security")
    )
    if hall is not None:
        HallStaff.objects.create(user=user, hall=hall)
    return user


signed_in = signed_in_client


def slot_on(
    hall_item: HallItem, day: date, start: time, *, minutes: int = 30, **extra: Any
) -> Slot:
    """A slot made directly, for days the booking window would not reach."""
    end = (datetime.combine(day, start) + timedelta(minutes=minutes)).time()
    return Slot.objects.create(
        hall=hall_item.hall,
        item=hall_item.item,
        date=day,
        start=start,
        end=end,
        capacity=extra.pop("capacity", hall_item.capacity),
        **extra,
    )


@pytest.fixture
def item(db: None) -> ServiceItem:
    return make_item("test-residence-permit", name_zh="居住证签注", name_en="Residence permit")


@pytest.fixture
def other_item(db: None) -> ServiceItem:
    return make_item("test-social-card", name_zh="社保卡补领", name_en="Social security card")


@pytest.fixture
def hall(db: None) -> Hall:
    return make_hall("test-gusu")


@pytest.fixture
def other_hall(db: None) -> Hall:
    return make_hall(
        "test-wuzhong", district="320506", latitude="31.270000", longitude="120.630000"
    )


@pytest.fixture
def hall_item(hall: Hall, item: ServiceItem) -> HallItem:
    return HallItem.objects.create(hall=hall, item=item, slot_minutes=30, capacity=2)


@pytest.fixture
def resident(db: None) -> User:
    return make_resident(PHONE, name=NAME)


@pytest.fixture
def other_resident(db: None) -> User:
    return make_resident(OTHER_PHONE)


@pytest.fixture
def clerk(hall: Hall) -> User:
    return make_clerk("clerk.gusu", hall)


@pytest.fixture
def other_clerk(other_hall: Hall) -> User:
    return make_clerk("clerk.wuzhong", other_hall)
