"""Fixtures of the app shell's tests: a signed-in resident and page helpers."""

from __future__ import annotations

import pytest
from django.test import Client

from citygate.accounts.models import User
from citygate.privacy.services import consent_grant

# A number from the range the demo personas use; nobody's real phone.
RESIDENT_PHONE = "13800138000"


@pytest.fixture
def resident(db: None) -> User:
    """A resident who signed up and agreed to the current terms and privacy policy."""
    user = User.objects.create_user(phone=RESIDENT_PHONE)
    consent_grant(user=user, kinds=["terms", "privacy"], channel="app")
    return user


@pytest.fixture
def resident_client(client: Client, resident: User) -> Client:
    client.force_login(resident)
    return client
