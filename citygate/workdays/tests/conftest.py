"""Fixtures of the calendar tests: an operator, staff in another role, and their clients."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role


def staff_member(login_name: str, role: Role) -> User:
    user = User.objects.create_user(login_name=login_name)
    StaffRole.objects.create(user=user, role=role)
    return user


def staff_client(user: User) -> Client:
    """A client signed in as staff who passed the TOTP step a moment ago."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[STAFF_SESSION_KEY] = time.time()
    session.save()
    return client


@pytest.fixture
def operator(db: None) -> User:
    return staff_member("operator.one", Role.OPERATOR)


@pytest.fixture
def editor(db: None) -> User:
    return staff_member("editor.one", Role.EDITOR)


@pytest.fixture
def operator_client(operator: User) -> Client:
    return staff_client(operator)


@pytest.fixture
def editor_client(editor: User) -> Client:
    return staff_client(editor)
