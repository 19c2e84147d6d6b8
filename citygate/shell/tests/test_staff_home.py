"""The staff home: each role sees the tools it may open, with what waits there."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.utils import translation

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.directory.models import Department

pytestmark = pytest.mark.django_db


def staff(login_name: str, role: str, department: str | None = None) -> Client:
    user = User.objects.create_user(login_name=login_name, name="测试")
    StaffRole.objects.create(
        user=user,
        role=role,
        department=Department.objects.get(code=department) if department else None,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[STAFF_SESSION_KEY] = time.time()
    session.save()
    return client


def tools(client: Client) -> str:
    with translation.override("en"):
        response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_clerk_sees_the_workbench_the_catalogue_and_follow_ups_but_not_the_calendar() -> None:
    page = tools(staff("clerk.home", Role.CLERK, "public-security"))
    assert "/staff/applications/" in page
    assert "/staff/follow-ups/" in page
    assert "/staff/catalog/" in page
    assert "/staff/calendar/" not in page
    assert "/staff/audit/" not in page


def test_an_operator_sees_the_calendar_and_the_missed_searches_but_no_applications() -> None:
    page = tools(staff("operator.home", Role.OPERATOR))
    assert "/staff/calendar/" in page
    assert "/staff/catalog/misses/" in page
    assert "/staff/applications/" not in page


def test_an_auditor_sees_the_access_audit_only() -> None:
    page = tools(staff("auditor.home", Role.AUDITOR))
    assert "/staff/audit/" in page
    assert "/staff/applications/" not in page
    assert "/staff/calendar/" not in page


def test_the_staff_home_needs_the_totp_step() -> None:
    user = User.objects.create_user(login_name="half.signed", name="测试")
    client = Client()
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/staff/login/")
