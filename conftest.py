"""Test-wide fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Generator

import pytest


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def _restore_migrated_data(item: pytest.Item) -> None:
    """Puts the database back as migrations left it: reference data included."""
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if not contents:
                continue
            # As TransactionTestCase flushes: sequences keep counting past the restored rows.
            call_command(
                "flush",
                database=connection.alias,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            connection.creation.deserialize_db_from_string(contents)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    # A transactional test ends by emptying every table, seeded reference data too. Parallel
    # workers take whole files in turn, so a file of ordinary tests that reads that data can
    # follow one of transactional tests in the same worker: restore it when a file ends.
    # (After the last test the test databases are gone, and nothing is left to restore.)
    yield
    if nextitem is not None and nextitem.path != item.path and _is_transactional(item):
        _restore_migrated_data(item)


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Generator[None, None, None]:
    # Django's test client leaves the language of its last request active in the thread; the
    # next test would run in it (and write, say, its notices in English).
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
