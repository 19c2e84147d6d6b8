"""Fixtures of the inbox tests: two residents, their clients, and templates of every kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.accounts.testing import resident_with, signed_in_client
from citygate.inbox.models import Kind
from citygate.inbox.services import push_subscription_add
from citygate.inbox.templates import MessageTemplate, register
from citygate.inbox.tests.pushservice import Device, LocalPushService, serve

VAPID_BACKEND = "citygate.inbox.channels.VapidWebPushBackend"

# Templates for the tests alone, one of each kind the real ones do not cover yet.
PROGRESS = register(
    MessageTemplate(
        name="inbox_tests.progress",
        kind=Kind.TRANSACTIONAL,
        title=_("Progress on %(item)s"),
        body=_("Your application moved to step %(step)s."),
    )
)
NEWS = register(
    MessageTemplate(
        name="inbox_tests.news",
        kind=Kind.NEWS,
        title=_("City news"),
        body=_("A new article is out."),
    )
)


def signed_in(user: User) -> Client:
    return signed_in_client(user)


@pytest.fixture
def resident(db: None) -> User:
    # Fictional: the 199 9999 range belongs to nobody outside these tests.
    return resident_with("19999990401")


@pytest.fixture
def other_resident(db: None) -> User:
    return resident_with("19999990402")


@pytest.fixture
def resident_client(resident: User) -> Client:
    return signed_in(resident)


@pytest.fixture
def other_client(other_resident: User) -> Client:
    return signed_in(other_resident)


@pytest.fixture
def push_service() -> Iterator[LocalPushService]:
    """A push service on this machine, and the real Web Push backend sending to it."""
    with override_settings(CITYGATE_WEB_PUSH_BACKEND=VAPID_BACKEND):
        yield from serve(LocalPushService())


def device_of(user: User, service: LocalPushService, name: str = "phone") -> Device:
    """A device of the person's with notifications on, at the local push service."""
    device = Device()
    push_subscription_add(
        user=user,
        endpoint=service.endpoint(name),
        p256dh=device.p256dh,
        auth=device.auth,
        label="Chrome · Android",
    )
    return device
