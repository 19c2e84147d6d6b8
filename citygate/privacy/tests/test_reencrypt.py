"""manage.py reencrypt_personal_data: key rotation and a switch of suite, in batches."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from citygate.accounts.models import User, normalise_phone
from citygate.privacy import crypto

K1 = "k1:" + base64.b64encode(bytes(range(32))).decode()
K2 = "k2:" + base64.b64encode(bytes(range(32, 64))).decode()
INDEX_KEY = base64.b64encode(bytes(range(64, 96))).decode()
PHONES = [f"1999999030{n}" for n in range(5)]


def keys(data_keys: str, suite: str = "aes") -> override_settings:
    return override_settings(
        CITYGATE_CRYPTO=suite, CITYGATE_DATA_KEYS=data_keys, CITYGATE_INDEX_KEY=INDEX_KEY
    )


def raw_values(column: str) -> list[str]:
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
        )
        return [row[0] for row in cursor.fetchall()]


def find(phone: str) -> User | None:
    index = crypto.blind_index("phone", normalise_phone(phone))
    return User.objects.filter(phone_index=index).first()


def run(*args: str) -> str:
    out = StringIO()
    call_command("reencrypt_personal_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_reencrypt_after_rotation_moves_every_value_to_the_new_key() -> None:
    # given: five people written under k1
    with keys(K1):
        for phone in PHONES:
            User.objects.create_user(phone=phone, name="测试")

    # when: k2 is added and the command runs in batches of two
    with keys(f"{K1},{K2}"):
        output = run("--batch-size", "2")

        # then
        assert all(value.startswith("cg1:aes:k2:") for value in raw_values("phone"))
        assert all(value.startswith("cg1:aes:k2:") for value in raw_values("name"))
        assert find(PHONES[3]) is not None
        assert "accounts.user.phone: aes:k1=5" in output
        assert "accounts.user.phone: aes:k2=5" in output
        assert "Rewrote 10 values and 0 blind indexes" in output

    # and: k1 can now be dropped
    with keys(K2):
        assert [find(phone) is not None for phone in PHONES] == [True] * 5


@pytest.mark.django_db
def test_reencrypt_after_switching_aes_to_sm_rewrites_values_and_blind_indexes() -> None:
    # given
    with keys(K1, suite="aes"):
        user = User.objects.create_user(phone=PHONES[0], id_number="320508198005170025")

    with keys(K1, suite="sm"):
        assert find(PHONES[0]) is None  # the index is still an HMAC-SHA256

        # when
        output = run()

        # then
        assert all(value.startswith("cg1:sm:k1:") for value in raw_values("phone"))
        assert all(value.startswith("cg1:sm:k1:") for value in raw_values("id_number"))
        assert find(PHONES[0]) == user
        index = crypto.blind_index("id_number", "320508198005170025")
        assert User.objects.get(id_number_index=index) == user
        assert "2 blind indexes" in output


@pytest.mark.django_db
def test_reencrypt_dry_run_counts_and_writes_nothing() -> None:
    # given
    with keys(K1):
        User.objects.create_user(phone=PHONES[0])
    before = raw_values("phone")

    # when
    with keys(f"{K1},{K2}"):
        output = run("--dry-run")

    # then
    assert raw_values("phone") == before
    assert "Would rewrite 1 values" in output
    assert "After:" not in output


@pytest.mark.django_db
def test_reencrypt_with_everything_current_changes_nothing() -> None:
    # given
    with keys(K1):
        User.objects.create_user(phone=PHONES[0])
        before = raw_values("phone")

        # when
        output = run()

    # then
    assert raw_values("phone") == before
    assert "Rewrote 0 values and 0 blind indexes" in output


@pytest.mark.django_db
def test_reencrypt_encrypts_a_value_left_in_clear() -> None:
    # given: a value written around the field, as an old import might have
    with keys(K1):
        user = User.objects.create_user(phone=PHONES[0])
        table = connection.ops.quote_name(User._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET name = %s", ["张三"])  # noqa: S608

        # when
        run()

        # then
        assert raw_values("name")[0].startswith("cg1:aes:k1:")
        assert User.objects.get(pk=user.pk).name == "张三"


@pytest.mark.django_db
def test_reencrypt_with_a_value_under_a_missing_key_reports_it_and_fails() -> None:
    # given
    with keys(K1):
        user = User.objects.create_user(phone=PHONES[0])

    err = StringIO()

    # when / then
    with keys(K2), pytest.raises(CommandError, match="1 values could not be decrypted"):
        call_command("reencrypt_personal_data", stdout=StringIO(), stderr=err)
    assert f"accounts.user.phone {user.pk.hex}" in err.getvalue().replace("-", "")
