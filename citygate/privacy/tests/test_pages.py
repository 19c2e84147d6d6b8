"""The privacy pages over HTTP: agreements, the consent gate, consents, the access log, and the
staff lookup, reveal and audit pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from citygate.accounts.models import User, VerificationLevel
from citygate.privacy.models import AccessRecord, Consent
from citygate.privacy.services import agreement_publish, consent_withdraw, personal_data_reveal
from citygate.privacy.tests.conftest import ID_NUMBER, NAME, PHONE, signed_in

# --- Agreements -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agreement_page_shows_the_current_text_to_anyone(client: Client) -> None:
    # when
    response = client.get("/privacy/agreements/privacy/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>城市通隐私政策</h1>" in page
    assert "个人信息保护法" in page


@pytest.mark.django_db
def test_agreement_page_of_an_earlier_version_says_so(client: Client) -> None:
    # given
    agreement_publish(kind="terms", title_zh="协议", title_en="Terms", body_zh="二", body_en="2")

    # when
    old = client.get("/privacy/agreements/terms/?version=1")
    current = client.get("/privacy/agreements/terms/")

    # then
    assert "alert--warning" in old.content.decode()
    assert "alert--warning" not in current.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/privacy/agreements/marketing/", "/privacy/agreements/terms/?version=9"]
)
def test_agreement_page_of_an_unknown_agreement_is_not_found(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


# --- The consent gate -------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_for_a_person_with_pending_consent_redirects_to_the_consent_page() -> None:
    # given
    client = signed_in(User.objects.create_user(phone=PHONE))

    # when
    response = client.get("/privacy/access-log/?page=2")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/privacy/consent/?next=%2Fprivacy%2Faccess-log%2F%3Fpage%3D2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/privacy/consent/",
        "/privacy/consents/",
        "/privacy/agreements/terms/",
        "/healthz",
        "/static/citygate/app.css",
        "/manifest.webmanifest",
        "/account/logout/",
        "/account/login/",
    ],
)
def test_pages_needed_to_give_consent_stay_open(path: str) -> None:
    # given
    client = signed_in(User.objects.create_user(phone=PHONE))

    # when
    response = client.get(path)

    # then
    assert not response.get("Location", "").startswith("/privacy/consent/?")


@pytest.mark.django_db
def test_consent_gate_does_not_apply_to_signed_out_visitors_or_staff(clerk_client: Client) -> None:
    assert Client().get("/").status_code == 200
    assert clerk_client.get("/").status_code == 200


@pytest.mark.django_db
def test_consent_page_lists_each_pending_agreement_with_an_unticked_box() -> None:
    # given
    client = signed_in(User.objects.create_user(phone=PHONE))

    # when
    response = client.get("/privacy/consent/?next=/account/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('type="checkbox"') == 2
    assert "checked" not in page
    assert 'value="/account/"' in page


@pytest.mark.django_db
def test_consent_page_post_without_every_box_ticked_records_nothing() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)

    # when
    response = signed_in(user).post("/privacy/consent/", {"agree_terms": "on"})

    # then
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Consent.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_consent_page_post_with_boxes_ticked_records_consent_and_goes_on() -> None:
    # given
    user = User.objects.create_user(phone=PHONE)
    client = signed_in(user)
    body = {"agree_terms": "on", "agree_privacy": "on", "next": "/privacy/access-log/"}

    # when
    response = client.post("/privacy/consent/", body)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/privacy/access-log/"
    assert set(Consent.objects.filter(user=user).values_list("agreement__kind", "channel")) == {
        ("terms", "app"),
        ("privacy", "app"),
    }
    assert client.get("/privacy/access-log/").status_code == 200


@pytest.mark.django_db
def test_consent_page_never_sends_people_to_another_site() -> None:
    # given
    client = signed_in(User.objects.create_user(phone=PHONE))
    body = {"agree_terms": "on", "agree_privacy": "on", "next": "https://evil.example/"}

    # when
    response = client.post("/privacy/consent/", body)

    # then
    assert response["Location"] == reverse("shell:home")


# --- My consents ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_consents_page_shows_what_i_agreed_to(resident_client: Client) -> None:
    response = resident_client.get("/privacy/consents/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("/withdraw/") == 3


@pytest.mark.django_db
def test_consent_withdraw_page_asks_first_then_erases_real_name(
    resident_client: Client, resident: User
) -> None:
    # when
    confirm = resident_client.get("/privacy/consents/real_name/withdraw/")
    done = resident_client.post("/privacy/consents/real_name/withdraw/")

    # then
    assert confirm.status_code == 200
    assert 'method="post"' in confirm.content.decode()
    assert done.status_code == 302
    resident.refresh_from_db()
    assert (resident.name, resident.id_number) == (None, None)
    assert resident.verification_level == VerificationLevel.PHONE


@pytest.mark.django_db
def test_consents_page_signed_out_redirects_to_sign_in(client: Client) -> None:
    response = client.get("/privacy/consents/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The access log page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_access_log_page_shows_the_records_with_the_staff_masked(
    resident_client: Client, resident: User, clerk: User
) -> None:
    # given
    personal_data_reveal(
        actor=clerk, subject=resident, field="phone", purpose="audit", detail="", channel="web"
    )

    # when
    response = resident_client.get("/privacy/access-log/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<dl class="summary">' in page
    assert "王**" in page
    assert "王建国" not in page
    assert "测试公安局" in page


@pytest.mark.django_db
def test_access_log_page_without_records_shows_an_empty_state(resident_client: Client) -> None:
    response = resident_client.get("/privacy/access-log/?page=abc")

    assert response.status_code == 200
    assert "empty" in response.content.decode()


# --- Staff: lookup and reveal -----------------------------------------------------------------


@pytest.mark.django_db
def test_staff_people_page_without_staff_sign_in_redirects_to_staff_login(
    clerk: User, resident_client: Client
) -> None:
    # when
    responses = [
        signed_in(clerk).get("/privacy/staff/people/"),
        resident_client.get("/privacy/staff/people/"),
    ]

    # then
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_login") + "?next=")


@pytest.mark.django_db
def test_staff_people_page_search_shows_masked_values_and_records_the_lookup(
    clerk_client: Client, resident: User
) -> None:
    # when
    body = {"by": "phone", "number": PHONE, "purpose": "service_hall_assist", "detail": ""}
    response = clerk_client.post("/privacy/staff/people/", body)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "199****0201" in page
    assert "320508********0025" in page
    for secret in (PHONE, NAME, ID_NUMBER):
        assert secret not in page
    assert page.count('name="purpose"') == 4  # the search form and one reveal form per field
    record = AccessRecord.objects.get()
    assert (record.subject, record.channel, record.purpose) == (
        resident,
        "web",
        "service_hall_assist",
    )


@pytest.mark.django_db
def test_staff_people_page_search_without_purpose_shows_errors_and_records_nothing(
    clerk_client: Client, resident: User
) -> None:
    response = clerk_client.post("/privacy/staff/people/", {"by": "phone", "number": PHONE})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_staff_people_page_with_a_malformed_number_shows_the_error_by_the_number(
    clerk_client: Client,
) -> None:
    body = {"by": "id_number", "number": "12345", "purpose": "audit"}
    response = clerk_client.post("/privacy/staff/people/", body)

    assert response.status_code == 400
    assert 'id="id_number_error"' in response.content.decode()


@pytest.mark.django_db
def test_staff_people_page_for_an_auditor_is_forbidden(auditor_client: Client) -> None:
    assert auditor_client.get("/privacy/staff/people/").status_code == 403


@pytest.mark.django_db
def test_staff_reveal_page_shows_the_clear_value_once_with_its_record(
    clerk_client: Client, resident: User
) -> None:
    # when
    body = {"field": "id_number", "purpose": "identity_check", "detail": "受理号 A-17"}
    response = clerk_client.post(f"/privacy/staff/people/{resident.pk}/reveal/", body)

    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert ID_NUMBER in response.content.decode()
    record = AccessRecord.objects.get()
    assert (record.field, record.detail, record.channel) == ("id_number", "受理号 A-17", "web")


@pytest.mark.django_db
def test_staff_reveal_page_without_purpose_reveals_nothing(
    clerk_client: Client, resident: User
) -> None:
    body = {"field": "phone", "purpose": "legal_investigation", "detail": ""}
    response = clerk_client.post(f"/privacy/staff/people/{resident.pk}/reveal/", body)

    assert response.status_code == 400
    assert PHONE not in response.content.decode()
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_staff_reveal_page_by_get_is_not_allowed(clerk_client: Client, resident: User) -> None:
    assert clerk_client.get(f"/privacy/staff/people/{resident.pk}/reveal/").status_code == 405


@pytest.mark.django_db
def test_staff_reveal_page_by_an_auditor_is_forbidden(
    auditor_client: Client, resident: User
) -> None:
    body = {"field": "phone", "purpose": "audit", "detail": ""}
    response = auditor_client.post(f"/privacy/staff/people/{resident.pk}/reveal/", body)

    assert response.status_code == 403
    assert PHONE not in response.content.decode()


# --- Auditors ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_audit_page_lists_records_and_an_intact_chain(
    auditor_client: Client, clerk: User, resident: User
) -> None:
    # given
    personal_data_reveal(
        actor=clerk,
        subject=resident,
        field="name",
        purpose="legal_investigation",
        detail="苏公(姑)立字[2026]7号",
        channel="web",
    )

    # when
    response = auditor_client.get("/privacy/staff/audit/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "alert--success" in page
    assert "苏公(姑)立字[2026]7号" in page
    assert str(resident.pk) in page
    assert NAME not in page


@pytest.mark.django_db
def test_staff_audit_page_with_a_broken_chain_names_the_record(
    auditor_client: Client, clerk: User, resident: User
) -> None:
    # given
    personal_data_reveal(
        actor=clerk, subject=resident, field="name", purpose="audit", detail="", channel="web"
    )
    drop = {
        "sqlite": ["DROP TRIGGER privacy_accessrecord_no_update"],
        "postgresql": ["DROP TRIGGER privacy_accessrecord_append_only ON privacy_accessrecord"],
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
        cursor.execute("UPDATE privacy_accessrecord SET field = 'phone'")

    # when
    response = auditor_client.get("/privacy/staff/audit/")

    # then
    assert "alert--error" in response.content.decode()


@pytest.mark.django_db
def test_staff_audit_page_for_a_clerk_is_forbidden(clerk_client: Client) -> None:
    assert clerk_client.get("/privacy/staff/audit/").status_code == 403


@pytest.mark.django_db
def test_withdrawn_terms_send_the_person_back_to_the_consent_page(
    resident_client: Client, resident: User
) -> None:
    # given
    consent_withdraw(user=resident, kind="terms", channel="app")

    # when
    response = resident_client.get("/privacy/access-log/")

    # then
    assert response["Location"].startswith("/privacy/consent/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["²", "9" * 5000, "99999999999999999999", "abc", "0"])
def test_agreement_page_with_odd_version_answers_not_found(client: Client, version: str) -> None:
    # when
    response = client.get("/privacy/agreements/terms/", {"version": version})

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["²", "9" * 5000, "99999999999999999999", "-3"])
def test_access_log_page_with_odd_page_number_shows_the_first_page(
    resident_client: Client, page: str
) -> None:
    # when
    response = resident_client.get("/privacy/access-log/", {"page": page})

    # then
    assert response.status_code == 200
