"""A raw read of the database finds no phone number, ID number or name in clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from citygate.accounts.models import User
from citygate.privacy.services import person_search, personal_data_reveal
from citygate.privacy.tests.conftest import ID_NUMBER, NAME, PHONE

SECRETS = (PHONE, ID_NUMBER, ID_NUMBER.lower(), NAME, "199 9999 0201", "+8619999990201")


def _as_text(value: object) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def every_stored_value() -> list[str]:
    """Every value of every column of every table, read with plain SQL, as text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                values.extend(_as_text(value) for value in row)
    return values


def database_file() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if "memory" in name or not Path(name).is_file():
        return None
    return Path(name)


@pytest.mark.django_db
def test_raw_database_holds_no_clear_phone_id_number_or_name(clerk: User) -> None:
    # given: a person written through the ORM, looked up and revealed by a clerk
    person = User.objects.create_user(phone="+86 199 9999 0201", name=NAME, id_number=ID_NUMBER)
    person_search(actor=clerk, phone=PHONE, purpose="identity_check", detail="", channel="web")
    personal_data_reveal(
        actor=clerk,
        subject=person,
        field="id_number",
        purpose="legal_investigation",
        detail=f"asked about {PHONE}",
        channel="web",
    )

    # when
    stored = every_stored_value()

    # then
    assert any(value.startswith("cg1:") for value in stored)
    for secret in SECRETS:
        assert not [value for value in stored if secret in value], secret
    # The ORM still reads it all back.
    assert (User.objects.get(pk=person.pk).phone, User.objects.get(pk=person.pk).name) == (
        "+86 199 9999 0201",
        NAME,
    )


@pytest.mark.django_db
def test_sqlite_database_file_bytes_hold_no_clear_personal_data() -> None:
    # given
    User.objects.create_user(phone=PHONE, name=NAME, id_number=ID_NUMBER)
    path = database_file()
    if path is None:
        pytest.skip("the test database is not a file (in-memory SQLite or PostgreSQL)")

    # when: the file and its write-ahead log, where fresh pages sit before a checkpoint
    siblings = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    raw = b"".join(p.read_bytes() for p in siblings if p.is_file())

    # then
    for secret in SECRETS:
        assert secret.encode() not in raw
