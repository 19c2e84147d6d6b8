"""Access records: the hash chain, append-only rows, and the chain check command."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from citygate.accounts.models import User
from citygate.privacy import crypto
from citygate.privacy.models import GENESIS_HASH, AccessRecord, AppendOnlyError
from citygate.privacy.selectors import access_chain_verify
from citygate.privacy.services import access_record_append, system_access_record

TABLE = "privacy_accessrecord"


def append(subject: User, actor: User | None = None, detail: str = "") -> AccessRecord:
    return access_record_append(
        subject=subject,
        actor=actor,
        actor_role="clerk" if actor else "system",
        actor_department=None,
        field="phone",
        purpose="handle_application",
        detail=detail,
        channel="api",
    )


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """Drop the append-only triggers for the rest of the test's transaction (rolled back)."""
    statements = {
        "sqlite": [f"DROP TRIGGER {TABLE}_no_update", f"DROP TRIGGER {TABLE}_no_delete"],
        "postgresql": [f"DROP TRIGGER {TABLE}_append_only ON {TABLE}"],
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    yield


@pytest.mark.django_db
def test_access_record_append_links_each_record_to_the_one_before(resident: User) -> None:
    # when
    first, second, third = (append(resident) for _ in range(3))

    # then
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert first.hash == crypto.chain_digest(first.canonical(), "sha256")


@pytest.mark.django_db
def test_access_record_under_sm_suite_is_hashed_with_sm3(resident: User) -> None:
    # when
    with override_settings(CITYGATE_CRYPTO="sm"):
        record = append(resident)

    # then
    stored = AccessRecord.objects.get(pk=record.pk)
    assert stored.algorithm == "sm3"
    assert stored.hash == crypto.sm3_hex(stored.canonical())


@pytest.mark.django_db
def test_access_record_detail_with_a_phone_number_is_stored_scrubbed(resident: User) -> None:
    # when
    record = append(resident, detail="caller 13912345678 asked, ID 320508198005170025")

    # then
    stored = AccessRecord.objects.get(pk=record.pk).detail
    assert "13912345678" not in stored
    assert "320508198005170025" not in stored


@pytest.mark.django_db
def test_access_record_save_of_an_existing_row_raises(resident: User) -> None:
    # given
    record = append(resident)
    record.detail = "changed"

    # when / then
    with pytest.raises(AppendOnlyError):
        record.save()


@pytest.mark.django_db
def test_access_record_delete_raises_on_the_row_and_on_querysets(resident: User) -> None:
    # given
    record = append(resident)

    # when / then
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.filter(pk=record.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.bulk_create([AccessRecord()])
    assert AccessRecord.objects.filter(pk=record.pk, detail="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET detail = 'changed'", f"DELETE FROM {TABLE}"],  # noqa: S608
)
def test_database_refuses_update_and_delete_of_access_records(
    resident: User, statement: str
) -> None:
    # given
    append(resident)

    # when / then
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AccessRecord.objects.filter(detail="").count() == 1


@pytest.mark.django_db
def test_user_with_access_records_cannot_be_deleted(resident: User) -> None:
    # given
    append(resident)

    # when / then: the records outlive no one silently
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        resident.delete()


@pytest.mark.django_db
def test_verify_access_chain_intact_prints_ok_with_the_count(resident: User) -> None:
    # given: links under both digests, as after a switch from aes to sm
    append(resident)
    with override_settings(CITYGATE_CRYPTO="sm"):
        append(resident)
    system_access_record(subject=resident, field="name", purpose="identity_check")
    out = StringIO()

    # when
    call_command("verify_access_chain", stdout=out)

    # then
    assert out.getvalue().strip() == "OK: 3 access records, chain intact"


@pytest.mark.django_db
def test_verify_access_chain_on_an_empty_table_is_ok() -> None:
    assert access_chain_verify().ok
    assert access_chain_verify().count == 0


@pytest.mark.django_db
def test_verify_access_chain_after_a_changed_record_names_exactly_that_record(
    resident: User,
) -> None:
    # given: the second of four records is edited behind the application's back
    records = [append(resident) for _ in range(4)]
    target = records[1]
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET purpose = %s WHERE sequence = %s",  # noqa: S608
            ["audit", target.sequence],
        )

    # when
    with pytest.raises(CommandError) as caught:
        call_command("verify_access_chain")

    # then
    message = str(caught.value)
    assert f"sequence {target.sequence} (id {target.id})" in message
    assert "contents do not match" in message
    report = access_chain_verify()
    assert (report.ok, report.broken_sequence, report.broken_id) == (False, 2, target.id)
    assert report.count == 1


@pytest.mark.django_db
def test_verify_access_chain_after_a_rehashed_record_names_the_next_record(
    resident: User,
) -> None:
    # given: record 2 is changed and given a fresh, self-consistent hash
    records = [append(resident) for _ in range(3)]
    with triggers_dropped(), connection.cursor() as cursor:
        forged = AccessRecord.objects.get(pk=records[1].pk)
        forged.detail = "forged"
        new_hash = crypto.chain_digest(forged.canonical(), forged.algorithm)
        cursor.execute(
            f"UPDATE {TABLE} SET detail = %s, hash = %s WHERE sequence = 2",  # noqa: S608
            ["forged", new_hash],
        )

    # when
    report = access_chain_verify()

    # then: record 3 no longer links to it
    assert (report.broken_sequence, report.reason) == (3, "prev_hash_mismatch")


@pytest.mark.django_db
def test_verify_access_chain_after_a_deleted_record_names_the_one_after_the_gap(
    resident: User,
) -> None:
    # given
    records = [append(resident) for _ in range(3)]
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = 2")  # noqa: S608

    # when
    with pytest.raises(CommandError) as caught:
        call_command("verify_access_chain")

    # then
    assert f"sequence 3 (id {records[2].id})" in str(caught.value)
    assert "missing" in str(caught.value)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with BEGIN IMMEDIATE; threads on its in-memory test "
    "database share one cache and cannot show a race",
)
@pytest.mark.django_db(transaction=True)
def test_access_record_append_from_concurrent_transactions_never_forks() -> None:
    # given
    subject = User.objects.create_user(phone="19999990299")
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                append(subject)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert failures == []
    assert list(AccessRecord.objects.order_by("sequence").values_list("sequence", flat=True)) == [
        *range(1, 41)
    ]
    assert access_chain_verify().ok
