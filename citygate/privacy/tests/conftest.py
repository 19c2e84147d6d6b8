"""Fixtures of the privacy tests: a resident, staff in each role, and their signed-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from citygate.accounts.models import StaffRole, User, VerificationLevel
from citygate.accounts.roles import Role
from citygate.accounts.testing import signed_in_client
from citygate.directory.models import Department, DepartmentKind
from citygate.privacy.services import consent_grant

# Fictional: the 199 9999 range belongs to nobody outside these tests.
PHONE = "19999990201"
# 姑苏区 (320508), born 1980-05-17; the last character is the GB 11643 check character.
ID_NUMBER = "320508198005170025"
NAME = "林晓梅"


def staff_member(login_name: str, role: Role | None, department: Department | None) -> User:
    user = User.objects.create_user(login_name=login_name, name="王建国")
    if role is not None:
        StaffRole.objects.create(user=user, role=role, department=department)
    return user


signed_in = signed_in_client


@pytest.fixture
def department(db: None) -> Department:
    department, _ = Department.objects.get_or_create(
        code="test-public-security",
        defaults={
            "name_zh": "测试公安局",
            "name_en": "Test Public Security Bureau",
            "kind": DepartmentKind.BUREAU,
        },
    )
    return department


@pytest.fixture
def resident(db: None) -> User:
    user = User.objects.create_user(
        phone=PHONE,
        name=NAME,
        id_number=ID_NUMBER,
        verification_level=VerificationLevel.REAL_NAME,
    )
    consent_grant(user=user, kinds=["terms", "privacy", "real_name"], channel="app")
    return user


@pytest.fixture
def clerk(department: Department) -> User:
    return staff_member("clerk.one", Role.CLERK, department)


@pytest.fixture
def auditor(department: Department) -> User:
    return staff_member("auditor.one", Role.AUDITOR, department)


@pytest.fixture
def editor(department: Department) -> User:
    return staff_member("editor.one", Role.EDITOR, department)


@pytest.fixture
def clerk_client(clerk: User) -> Client:
    return signed_in(clerk, staff=True)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return signed_in(auditor, staff=True)


@pytest.fixture
def resident_client(resident: User) -> Client:
    return signed_in(resident)
