"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest
from django.test import Client

from citygate.accounts.tests.helpers import Api, CaptureOnCommit


@pytest.fixture
def api(client: Client, django_capture_on_commit_callbacks: CaptureOnCommit) -> Api:
    """The API over HTTP; tasks enqueued on commit run at once, as a worker would run them."""
    return Api(client, django_capture_on_commit_callbacks)
