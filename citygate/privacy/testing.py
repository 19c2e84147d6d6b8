"""Helpers for tests elsewhere in the project that touch the privacy app.

Transactional tests (live server, ``transaction=True``) end with a flush, which on SQLite
deletes rows one table at a time: the append-only trigger on access records refuses that.
Such a test calls `access_records_clear` before it ends (or uses a fixture that does).
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.db import connection, transaction

from citygate.accounts.models import User
from citygate.privacy.services import consent_grant

_TRIGGERS = importlib.import_module("citygate.privacy.migrations.0002_access_record_append_only")


def access_records_clear() -> None:
    """Delete every access record, the triggers lifted for that moment only. Tests only."""
    if not settings.TESTING:
        raise RuntimeError("access records are deleted only in tests")
    forward, backward = _TRIGGERS.STATEMENTS[connection.vendor]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in backward:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {_TRIGGERS.TABLE}")  # noqa: S608 - a constant
        for statement in forward:
            cursor.execute(statement)


def consent_all_required(user: User) -> None:
    """Record that a test's user accepted the terms and the privacy policy."""
    consent_grant(user=user, kinds=["terms", "privacy"], channel="app")
