"""Helpers for tests of any app: a resident who accepted the agreements, and a signed-in
browser for a person or a member of staff."""

from __future__ import annotations

import time

from django.test import Client

from citygate.accounts.auth import STAFF_SESSION_KEY
from citygate.accounts.models import User
from citygate.privacy.testing import consent_all_required


def resident_with(phone: str) -> User:
    """A resident registered by this phone who accepted every required agreement."""
    user = User.objects.create_user(phone=phone)
    consent_all_required(user)
    return user


def signed_in_client(user: User, *, staff: bool = False, language: str = "") -> Client:
    """A client signed in as the user; for staff, past the TOTP step in this session too."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    client.force_login(user)
    if staff:
        session = client.session
        session[STAFF_SESSION_KEY] = int(time.time())
        session.save()
    return client
