"""The demo halls: one city centre, one centre per district, street centres; loaded once."""

from __future__ import annotations

import pytest

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.directory.models import Department, District
from citygate.halls import demo, selectors
from citygate.halls.models import Hall, HallItem, HallLevel, HallStaff, HallWindow
from citygate.halls.tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_demo_load_creates_the_city_district_and_street_centres() -> None:
    # given
    permit = make_item("demo-residence-permit", name_zh="居住证办理")
    licence = make_item("demo-business-licence", name_zh="营业执照设立登记")

    # when
    created = demo.load()

    # then
    assert created > 0
    levels = [hall.level for hall in Hall.objects.all()]
    assert levels.count(HallLevel.CITY) == 1
    assert levels.count(HallLevel.DISTRICT) == District.objects.count() == 10
    assert 4 <= levels.count(HallLevel.STREET) <= 6
    city = Hall.objects.get(level=HallLevel.CITY)
    assert city.name_zh == "苏州市政务服务中心"
    assert set(city.hall_items.values_list("item__code", flat=True)) == {permit.code, licence.code}
    street_items = HallItem.objects.filter(hall__level=HallLevel.STREET)
    assert set(street_items.values_list("item__code", flat=True)) == {permit.code}
    assert HallWindow.objects.filter(hall=city, items=permit).exists()
    assert all(hall.sessions.count() == 10 for hall in Hall.objects.all())


def test_demo_load_twice_creates_nothing_the_second_time() -> None:
    # given
    make_item("demo-residence-permit", name_zh="居住证办理")
    demo.load()

    # when
    again = demo.load()

    # then
    assert again == 0


def test_demo_halls_are_each_in_their_district_and_found_by_distance() -> None:
    # given
    demo.load()

    # when: a point near Kunshan's centre
    nearest = selectors.hall_nearest(item=None, latitude=31.38, longitude=120.96, limit=1)

    # then
    assert nearest[0].hall.code == "kunshan-centre"
    assert nearest[0].km < 2


def test_demo_load_assigns_the_demo_clerk_to_the_city_centre() -> None:
    # given
    clerk = User.objects.create_user(login_name=demo.DEMO_CLERK)
    StaffRole.objects.create(
        user=clerk, role=Role.CLERK, department=Department.objects.get(code="public-security")
    )

    # when
    demo.load()

    # then
    assert HallStaff.objects.get(user=clerk).hall.code == demo.CITY_CENTRE
