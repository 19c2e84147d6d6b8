"""Fixtures of the accounts tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from citygate.accounts.tests.helpers import Api, CaptureOnCommit, FakeService, serve


@pytest.fixture
def api(client: Client, django_capture_on_commit_callbacks: CaptureOnCommit) -> Api:
    """The API over HTTP; tasks enqueued on commit run at once, as a worker would run them."""
    return Api(client, django_capture_on_commit_callbacks)


@pytest.fixture
def other_api(django_capture_on_commit_callbacks: CaptureOnCommit) -> Api:
    """A second person on a second device."""
    return Api(Client(), django_capture_on_commit_callbacks)


@pytest.fixture
def gateway() -> Iterator[FakeService]:
    """An outside JSON service (SMS gateway, verifier) listening on 127.0.0.1."""
    fake = FakeService()
    with serve(fake):
        yield fake
