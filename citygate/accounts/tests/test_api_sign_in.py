from datetime import timedelta

import pytest
from django.utils import timezone

from citygate.accounts import services
from citygate.accounts.models import ApiToken, AttemptGuard, SmsCode, SmsOutboxMessage, User
from citygate.accounts.tests.helpers import OTHER_PHONE, PHONE, Api, allow_resend, latest_code
from citygate.privacy.models import Consent

pytestmark = pytest.mark.django_db


# --- POST /auth/sms-code ----------------------------------------------------------------------


def test_sms_code_with_valid_number_sends_a_six_digit_code(api: Api) -> None:
    # when
    response = api.request_code("+86 199-9999-0101")

    # then
    assert response.status_code == 202
    assert response.json() == {"sent": True, "resend_after": 60}
    message = SmsOutboxMessage.objects.get()
    assert message.phone == PHONE
    assert latest_code() in message.text


def test_sms_code_stores_the_code_only_as_a_keyed_hash(api: Api) -> None:
    # when
    api.request_code()

    # then
    row = SmsCode.objects.get()
    code = latest_code()
    assert code not in row.code_hash
    assert PHONE not in row.phone_index
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_sms_code_for_known_and_unknown_numbers_answers_the_same(api: Api) -> None:
    # given
    api.sign_up(PHONE)
    allow_resend()

    # when
    known = api.request_code(PHONE)
    unknown = api.request_code(OTHER_PHONE)

    # then
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


@pytest.mark.parametrize("phone", ["", "12345", "1999999010a", "29999990101", "+1 415 555 0100"])
def test_sms_code_with_malformed_number_answers_invalid_phone(api: Api, phone: str) -> None:
    # when
    response = api.request_code(phone)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_phone"
    assert set(body["fields"]) == {"phone"}
    assert body["fields"]["phone"]
    assert not SmsOutboxMessage.objects.exists()


def test_sms_code_with_english_client_sends_english_text(api: Api) -> None:
    # when
    api.request_code(HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert "sign-in code" in SmsOutboxMessage.objects.get().text


def test_sms_code_for_account_in_english_sends_english_text_to_chinese_client(api: Api) -> None:
    # given
    user = api.sign_up(PHONE)
    user.preferred_language = "en"
    user.save()
    allow_resend()

    # when
    api.request_code(PHONE, HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    assert "sign-in code" in SmsOutboxMessage.objects.order_by("-created_at")[0].text


# --- Limits on sending ------------------------------------------------------------------------


def test_sms_code_again_within_a_minute_is_rate_limited_with_retry_after(api: Api) -> None:
    # given
    api.request_code()

    # when
    response = api.request_code()

    # then
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "phone" in response.json()["fields"]
    assert 0 < int(response["Retry-After"]) <= 60
    assert SmsOutboxMessage.objects.count() == 1


def test_sms_code_sixth_in_an_hour_is_rate_limited(api: Api) -> None:
    # given
    for _ in range(5):
        assert api.request_code().status_code == 202
        allow_resend()

    # when
    response = api.request_code()

    # then
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 60 < int(response["Retry-After"]) <= 3600


def test_sms_code_eleventh_in_a_day_is_rate_limited(api: Api) -> None:
    # given: ten codes, one every two hours, the oldest 20 hours ago
    now = timezone.now()
    for hours in range(10):
        SmsCode.objects.create(
            phone_index=services.phone_index(PHONE),
            code_hash="x",
            address_hash=f"elsewhere-{hours}",
            created_at=now - timedelta(hours=20 - 2 * hours),
            expires_at=now,
        )

    # when
    response = api.request_code()

    # then
    assert response.status_code == 429
    # the oldest of the ten leaves the 24-hour window in 4 hours
    assert 4 * 3600 - 60 < int(response["Retry-After"]) <= 4 * 3600 + 1


def test_sms_code_twenty_first_from_one_address_in_an_hour_is_rate_limited(api: Api) -> None:
    # given
    for n in range(20):
        assert api.request_code(f"1999999{n:04d}").status_code == 202

    # when
    from_same = api.request_code("19999998888")
    from_other = api.request_code("19999998889", REMOTE_ADDR="10.1.2.3")

    # then
    assert from_same.status_code == 429
    assert from_same.json()["code"] == "rate_limited"
    assert from_other.status_code == 202


def test_sms_code_rows_keep_no_client_address(api: Api) -> None:
    # when
    api.request_code(REMOTE_ADDR="203.0.113.7")

    # then
    assert "203.0.113.7" not in SmsCode.objects.get().address_hash


# --- POST /auth/login -------------------------------------------------------------------------


def test_login_with_unknown_number_and_agreement_signs_up(api: Api) -> None:
    # given
    api.request_code()

    # when
    response = api.login(agree=True)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True
    assert body["token"] is None
    assert body["user"]["phone"] == "199****0101"
    assert body["user"]["verification"]["code"] == "phone"
    assert body["user"]["roles"] == ["resident"]
    assert body["user"]["pending_agreements"] == []
    user = User.objects.get()
    kinds = set(Consent.objects.filter(user=user).values_list("agreement__kind", flat=True))
    assert kinds == {"terms", "privacy"}
    assert api.get("/api/v1/me").status_code == 200


def test_login_with_unknown_number_without_agreement_keeps_the_code_usable(api: Api) -> None:
    # given
    api.request_code()

    # when
    refused = api.login(agree=False)
    accepted = api.login(agree=True)

    # then
    assert refused.status_code == 400
    assert refused.json()["code"] == "agreement_required"
    assert set(refused.json()["fields"]) == {"agree"}
    assert accepted.status_code == 200
    assert User.objects.count() == 1


def test_login_with_known_number_signs_in_and_rotates_the_session(api: Api) -> None:
    # given
    user = api.sign_up()
    api.post("/api/v1/auth/logout", {})
    allow_resend()
    api.request_code()
    before = api.client.session.session_key

    # when
    response = api.login()

    # then
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["user"]["id"] == str(user.pk)
    assert api.client.session.session_key != before
    assert User.objects.count() == 1


def test_login_with_used_code_answers_code_expired(api: Api) -> None:
    # given
    api.sign_up()
    code = latest_code()
    api.post("/api/v1/auth/logout", {})

    # when
    response = api.login(code=code)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "code_expired"
    assert set(response.json()["fields"]) == {"code"}


def test_login_after_five_minutes_answers_code_expired(api: Api) -> None:
    # given
    api.request_code()
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    # when
    response = api.login(agree=True)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "code_expired"
    assert not User.objects.exists()


def test_login_with_wrong_code_answers_code_invalid_with_attempts_left(api: Api) -> None:
    # given
    api.request_code()
    wrong = f"{(int(latest_code()) + 1) % 1_000_000:06d}"

    # when
    response = api.login(code=wrong, agree=True)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "code_invalid"
    assert "4" in body["fields"]["code"]


def test_login_with_older_code_after_resend_is_refused(api: Api) -> None:
    # given
    api.request_code()
    first = latest_code()
    allow_resend()
    api.request_code()
    if latest_code() == first:
        pytest.skip("both random codes happened to be equal")

    # when
    response = api.login(code=first, agree=True)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "code_invalid"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 345", "１２３４５６"])
def test_login_with_malformed_code_answers_code_invalid(api: Api, code: str) -> None:
    # given
    api.request_code()

    # when
    response = api.login(code=code, agree=True)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "code_invalid"
    assert "code" in response.json()["fields"]


def test_login_with_five_wrong_codes_locks_the_number_for_thirty_minutes(api: Api) -> None:
    # given
    api.request_code()
    right = latest_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert api.login(code=wrong, agree=True).json()["code"] == "code_invalid"

    # when
    fifth = api.login(code=wrong, agree=True)
    with_right_code = api.login(code=right, agree=True)
    allow_resend()
    sending = api.request_code()

    # then
    assert fifth.status_code == 423
    assert fifth.json()["code"] == "phone_locked"
    assert 1700 < int(fifth["Retry-After"]) <= 1800
    assert "30" in fifth.json()["message"]
    assert with_right_code.status_code == 423
    assert with_right_code.json()["code"] == "phone_locked"
    assert sending.status_code == 423
    assert "phone" in sending.json()["fields"]
    assert not User.objects.exists()


def test_login_after_the_lock_runs_out_is_accepted(api: Api) -> None:
    # given
    api.request_code()
    wrong = f"{(int(latest_code()) + 1) % 1_000_000:06d}"
    for _ in range(5):
        api.login(code=wrong)
    AttemptGuard.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    allow_resend()

    # when
    sent = api.request_code()
    response = api.login(agree=True)

    # then
    assert sent.status_code == 202
    assert response.status_code == 200
    assert AttemptGuard.objects.get().failures == 0


def test_login_success_resets_the_wrong_code_count(api: Api) -> None:
    # given
    api.request_code()
    wrong = f"{(int(latest_code()) + 1) % 1_000_000:06d}"
    for _ in range(4):
        api.login(code=wrong)

    # when
    api.login(agree=True)

    # then
    assert AttemptGuard.objects.get().failures == 0


def test_login_for_closed_account_is_refused(api: Api) -> None:
    # given
    user = api.sign_up()
    User.objects.filter(pk=user.pk).update(is_active=False)
    api.client.logout()
    allow_resend()
    api.request_code()

    # when
    response = api.login()

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "account_disabled"


# --- Tokens -----------------------------------------------------------------------------------


def test_login_with_token_issues_a_bearer_token_and_no_session(api: Api) -> None:
    # given
    api.request_code()

    # when
    response = api.login(agree=True, token=True)

    # then
    assert response.status_code == 200
    token = response.json()["token"]
    assert token.startswith("cgt_")
    assert "sessionid" not in response.cookies
    stored = ApiToken.objects.get()
    assert token not in stored.token_hash
    assert stored.expires_at > timezone.now() + timedelta(days=29)
    api.client.cookies.clear()
    me = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_logout_with_bearer_token_revokes_it(api: Api) -> None:
    # given
    api.request_code()
    token = api.login(agree=True, token=True).json()["token"]
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    # when
    response = api.post("/api/v1/auth/logout", {}, **header)

    # then
    assert response.status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert api.get("/api/v1/me", **header).status_code == 401


@pytest.mark.parametrize("header", ["Bearer cgt_unknown", "Bearer nonsense", "Bearer " + "a" * 500])
def test_me_with_unknown_token_answers_unauthenticated(api: Api, header: str) -> None:
    # when
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=header)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_me_with_expired_token_answers_unauthenticated(api: Api) -> None:
    # given
    api.request_code()
    token = api.login(agree=True, token=True).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    # when
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    # then
    assert response.status_code == 401


# --- Logout, /me, preferences -----------------------------------------------------------------


def test_logout_with_session_ends_it(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.post("/api/v1/auth/logout", {})

    # then
    assert response.status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_me_without_sign_in_answers_unauthenticated_envelope(api: Api) -> None:
    # when
    response = api.get("/api/v1/me")

    # then
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_preferences_update_changes_language_and_elderly_mode(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.put("/api/v1/me/preferences", {"language": "en", "elderly_mode": True})

    # then
    assert response.status_code == 200
    assert response.json()["language"] == "en"
    assert response.json()["elderly_mode"] is True
    user = User.objects.get()
    assert (user.preferred_language, user.elderly_mode) == ("en", True)


def test_preferences_update_with_only_one_field_keeps_the_other(api: Api) -> None:
    # given
    api.sign_up()
    api.put("/api/v1/me/preferences", {"language": "en"})

    # when
    response = api.put("/api/v1/me/preferences", {"elderly_mode": True})

    # then
    assert response.json()["language"] == "en"
    assert response.json()["elderly_mode"] is True


def test_preferences_update_with_unknown_language_answers_field_error(api: Api) -> None:
    # given
    api.sign_up()

    # when
    response = api.put("/api/v1/me/preferences", {"language": "fr"})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_language"
    assert "language" in response.json()["fields"]
