"""Agreements and consent: current versions, pending consent, granting, withdrawing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from structlog.testing import capture_logs

from citygate.accounts.models import User, VerificationLevel
from citygate.core.errors import InvalidInput
from citygate.privacy.models import Agreement, Consent
from citygate.privacy.selectors import (
    agreements_current,
    consent_has,
    consent_pending,
)
from citygate.privacy.services import agreement_publish, consent_grant, consent_withdraw
from citygate.privacy.tests.conftest import ID_NUMBER, NAME, PHONE


def publish(kind: str, **extra: object) -> Agreement:
    return agreement_publish(
        kind=kind,
        title_zh="新版",
        title_en="New version",
        body_zh="正文。",
        body_en="Text.",
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_seeded_agreements_are_version_one_of_each_kind_with_real_texts() -> None:
    # when
    current = agreements_current()

    # then
    assert [(a.kind, a.version, a.required) for a in current] == [
        ("terms", 1, True),
        ("privacy", 1, True),
        ("real_name", 1, False),
    ]
    privacy = current[1]
    for phrase in ("个人信息保护法", "撤回", "保存期限", "privacy@citygate.example.org"):
        assert phrase in privacy.body_zh
    for phrase in ("withdraw", "How long we keep it", "Contact us"):
        assert phrase in privacy.body_en


@pytest.mark.django_db
def test_consent_pending_for_a_new_user_lists_terms_and_privacy_only() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)

    # when
    pending = consent_pending(user=user)

    # then
    assert [a.kind for a in pending] == ["terms", "privacy"]


@pytest.mark.django_db
def test_consent_grant_records_the_current_version_and_is_idempotent() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)

    # when
    first = consent_grant(user=user, kinds=["terms", "privacy"], channel="app")
    second = consent_grant(user=user, kinds=["privacy", "terms"], channel="api")

    # then
    assert {c.pk for c in first} == {c.pk for c in second}
    assert Consent.objects.filter(user=user).count() == 2
    assert consent_pending(user=user) == []
    assert consent_has(user=user, kind="terms")
    assert not consent_has(user=user, kind="real_name")


@pytest.mark.django_db
def test_agreement_publish_asks_everyone_again() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)
    consent_grant(user=user, kinds=["terms", "privacy"], channel="app")

    # when
    new = publish("privacy")

    # then
    assert (new.version, new.required) == (2, True)
    assert consent_pending(user=user) == [new]
    assert not consent_has(user=user, kind="privacy")
    (granted,) = consent_grant(user=user, kinds=["privacy"], channel="app")
    assert granted.agreement == new
    assert consent_pending(user=user) == []


@pytest.mark.django_db
def test_agreement_published_for_later_is_not_current_yet() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)
    consent_grant(user=user, kinds=["terms", "privacy"], channel="app")

    # when
    publish("terms", published_at=timezone.now() + timedelta(days=7))

    # then
    assert [a.version for a in agreements_current()] == [1, 1, 1]
    assert consent_pending(user=user) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "title_zh", "field"),
    [("marketing", "标题", "kinds"), ("terms", "  ", "title_zh")],
)
def test_agreement_publish_with_bad_input_is_refused(kind: str, title_zh: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        agreement_publish(kind=kind, title_zh=title_zh, title_en="T", body_zh="B", body_en="B")

    assert field in caught.value.fields
    assert Agreement.objects.count() == 3


@pytest.mark.django_db
def test_consent_withdraw_of_terms_is_recorded_and_asks_again() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)
    consent_grant(user=user, kinds=["terms", "privacy"], channel="app")

    # when
    consent_withdraw(user=user, kind="terms", channel="hall")

    # then
    consent = Consent.objects.get(user=user, agreement__kind="terms")
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_channel == "hall"
    assert [a.kind for a in consent_pending(user=user)] == ["terms"]
    consent_grant(user=user, kinds=["terms"], channel="app")
    assert Consent.objects.filter(user=user, agreement__kind="terms").count() == 2
    assert consent_pending(user=user) == []


@pytest.mark.django_db
def test_consent_withdraw_of_real_name_erases_it_and_logs_ids_only() -> None:
    # given
    user = User.objects.create_user(
        phone=PHONE,
        name=NAME,
        id_number=ID_NUMBER,
        verification_level=VerificationLevel.REAL_NAME,
        verified_at=timezone.now(),
    )
    consent_grant(user=user, kinds=["real_name"], channel="app")

    # when
    with capture_logs() as events:
        consent_withdraw(user=user, kind="real_name", channel="app")

    # then
    stored = User.objects.get(pk=user.pk)
    assert (stored.name, stored.id_number, stored.id_number_index) == (None, None, None)
    assert (stored.verification_level, stored.verified_at) == (VerificationLevel.PHONE, None)
    assert (user.name, user.verification_level) == (None, VerificationLevel.PHONE)
    assert not consent_has(user=user, kind="real_name")
    assert [e["event"] for e in events] == ["privacy.consent_withdrawn", "privacy.real_name_erased"]
    logged = repr(events)
    for secret in (PHONE, NAME, ID_NUMBER):
        assert secret not in logged


@pytest.mark.django_db
def test_consent_withdraw_real_name_frees_the_id_number_for_a_new_verification() -> None:
    # given
    first = User.objects.create_user(phone=PHONE, id_number=ID_NUMBER)
    consent_withdraw(user=first, kind="real_name", channel="app")

    # when: the unique blind index no longer holds the number
    second = User.objects.create_user(phone="19999990202", id_number=ID_NUMBER)

    # then
    assert second.id_number_index is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("kinds", "channel"), [(["terms"], "fax"), (["nope"], "app"), ([], "app")])
def test_consent_grant_with_bad_input_is_refused(kinds: list[str], channel: str) -> None:
    user = User.objects.create_user(phone=PHONE)

    with pytest.raises(InvalidInput):
        consent_grant(user=user, kinds=kinds, channel=channel)

    assert not Consent.objects.filter(user=user).exists()
