"""Service halls in the browser: a resident finds a hall, books a visit from a guide, sees it
in their appointments; the hall's clerk sees the day and checks the resident in; the resident
then sees the queue number. Every page passes axe, in both languages and both modes.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from citygate.accounts.models import User
from citygate.accounts.services import (
    phone_index,
    staff_create,
    user_preferences_update,
    user_register,
)
from citygate.catalog import demo
from citygate.catalog.models import ServiceItem
from citygate.catalog.services import item_publish_demo
from citygate.directory.models import District
from citygate.halls.models import (
    Appointment,
    AppointmentState,
    Hall,
    HallItem,
    HallLevel,
    HallSession,
    Slot,
)
from citygate.halls.services import appointment_book, hall_staff_assign
from citygate.privacy.testing import consent_all_required
from citygate.shell.tests.browser.helpers import (
    AxeCheck,
    Screenshot,
    assert_elderly_mode_measures_up,
    new_context,
    open_page,
    set_display,
    signed_in_page,
    watch_errors,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = "19999990088"
PASSWORD = "a-long-clerk-passphrase-42"
TOTP_SECRET = pyotp.random_base32()
DISPLAYS = [("zh-hans", False), ("en", True)]


@pytest.fixture
def item() -> ServiceItem:
    record = next(r for r in demo.records() if r.content.name == "居民身份证补领")
    return item_publish_demo(record=record)


@pytest.fixture
def hall(item: ServiceItem) -> Hall:
    hall = Hall.objects.create(
        code="browser-hall",
        name_zh="吴中区政务服务中心",
        name_en="Wuzhong District Government Service Centre",
        level=HallLevel.DISTRICT,
        district=District.objects.get(code="320506"),
        address_zh="苏州市吴中区东吴北路95号",
        address_en="95 Dongwu North Road, Wuzhong District, Suzhou",
        latitude=Decimal("31.270000"),
        longitude=Decimal("120.630000"),
        phone="12345",
        hours_zh="周一至周五 9:00-12:00，13:30-17:00",
        hours_en="Monday to Friday 9:00-12:00, 13:30-17:00",
    )
    # Open every day of the week, so the test can book whatever day it runs on.
    for weekday in range(7):
        HallSession.objects.create(hall=hall, weekday=weekday, start=time(0), end=time(23, 30))
    HallItem.objects.create(hall=hall, item=item, slot_minutes=30, capacity=4)
    return hall


def _signed_in_resident(browser: Browser, base_url: str, language: str, elderly: bool) -> Page:
    resident = user_register(phone=PHONE, language=language, channel="app")
    consent_all_required(resident)
    # The account's saved display wins over the device's once it has a language.
    user_preferences_update(user=resident, elderly_mode=elderly)
    return signed_in_page(browser, base_url, resident, language=language, elderly=elderly)


def _booked_for_today(hall: Hall, item: ServiceItem) -> None:
    """An appointment of the resident for today, booked at midnight, in a slot lasting until
    23:59 so that it is current whenever the test runs."""
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, time(0)))
    slot, _created = Slot.objects.get_or_create(
        hall=hall,
        item=item,
        date=today,
        start=time(0, 5),
        defaults={"end": time(23, 59), "capacity": 4},
    )
    resident = User.objects.get(phone_index=phone_index(PHONE))
    if not Appointment.objects.filter(
        user=resident, date=today, state=AppointmentState.BOOKED
    ).exists():
        appointment_book(user=resident, slot_id=slot.pk, now=midnight)


def _clerk_page(browser: Browser, base_url: str, hall: Hall, language: str) -> Page:
    clerk = staff_create(
        login_name="hall.clerk",
        password=PASSWORD,
        role="clerk",
        department_code="public-security",
        totp_secret=TOTP_SECRET,
    )
    hall_staff_assign(user=clerk.user, hall=hall)
    context = new_context(browser, base_url)
    set_display(context, base_url, language=language, elderly=False)
    page = context.new_page()
    page.goto("/account/staff/login/")
    page.fill("input[name=login_name]", "hall.clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize(("language", "elderly"), DISPLAYS)
def test_resident_books_from_the_guide_and_the_clerk_checks_them_in(
    browser: Browser,
    live_server: Any,
    item: ServiceItem,
    hall: Hall,
    axe_check: AxeCheck,
    screenshot: Screenshot,
    language: str,
    elderly: bool,
) -> None:
    # given
    page = _signed_in_resident(browser, live_server.url, language, elderly)
    errors = watch_errors(page)
    label = f"{language}-{'elderly' if elderly else 'standard'}"

    # when: the hall pages
    for path in ("/halls/", f"/halls/{hall.pk}/"):
        open_page(page, path)
        axe_check(page)
        screenshot(page, f"halls-{path.strip('/').replace('/', '-')}-{label}")

    # when: booking from the guide, step by step
    open_page(page, f"/services/item/{item.code}/")
    page.locator(f"main a[href^='/appointments/book/?item={item.code}']").click()
    for step in ("hall", "date", "slot"):
        page.wait_for_load_state()
        axe_check(page)
        if elderly:
            assert_elderly_mode_measures_up(page)
        screenshot(page, f"book-{step}-{label}")
        page.locator("main ul.list a").first.click()
    page.wait_for_load_state()
    axe_check(page)
    screenshot(page, f"book-confirm-{label}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    # then: the appointment is listed as booked
    assert page.url.endswith("/appointments/")
    expect(page.locator("main")).to_contain_text(hall.name_en if language == "en" else hall.name_zh)
    axe_check(page)
    screenshot(page, f"appointments-booked-{label}")

    # given: whatever the time of day the test runs at, an appointment of theirs for today
    # (the booking above may be for a later day; check-in is for the day itself)
    _booked_for_today(hall, item)

    # when: the hall's clerk opens the day and checks the resident in
    clerk = _clerk_page(browser, live_server.url, hall, language)
    open_page(clerk, "/staff/halls/")
    clerk.locator(f"main a[href^='/staff/halls/{hall.pk}/day/']").first.click()
    clerk.wait_for_load_state()
    html = clerk.content()
    assert PHONE not in html  # the day list shows people masked
    axe_check(clerk)
    screenshot(clerk, f"staff-day-{label}")
    clerk.locator("main form[action$='/arrived/'] button").first.click()
    clerk.wait_for_load_state()
    axe_check(clerk)

    # then: the resident sees a queue number
    open_page(page, "/appointments/")
    expect(page.locator("main")).to_contain_text("A001")
    axe_check(page)
    assert not errors
