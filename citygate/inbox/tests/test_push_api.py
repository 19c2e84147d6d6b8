"""Devices for Web Push over the API and on the preferences page, the VAPID key, and the
reports a service worker sends without a session."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from citygate.accounts.models import User
from citygate.inbox import webpush
from citygate.inbox.channels import report_token
from citygate.inbox.models import Channel, Delivery, DeliveryState, PushSubscription
from citygate.inbox.services import notify
from citygate.inbox.tests.pushservice import Device
from citygate.privacy import crypto

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
URL = "/api/v1/me/push-subscriptions"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/dGVzdC1kZXZpY2UtMDAx"
# A production server (with the development data keys named, as it names its own).
PRODUCTION = {
    "DEBUG": False,
    "TESTING": False,
    "CITYGATE_DATA_KEYS": crypto.DEVELOPMENT_DATA_KEYS,
    "CITYGATE_INDEX_KEY": crypto.DEVELOPMENT_INDEX_KEY,
}


def subscription(device: Device, endpoint: str = ENDPOINT, **extra: Any) -> dict[str, Any]:
    """What PushSubscription.toJSON() gives in the browser, with the page's label."""
    return {
        "endpoint": endpoint,
        "keys": {"p256dh": device.p256dh, "auth": device.auth},
        "label": "Chrome · Android",
        **extra,
    }


def test_the_vapid_key_is_public_and_a_p256_point() -> None:
    answer = Client().get("/api/v1/push/key")
    assert answer.status_code == 200
    key = answer.json()["public_key"]
    assert key == webpush.vapid_public_key()
    assert len(webpush.b64url_decode(key)) == 65


def test_a_resident_turns_a_device_on_lists_it_masked_and_removes_it(
    resident: User, resident_client: Client
) -> None:
    # when
    added = resident_client.post(URL, subscription(Device()), content_type="application/json")
    listed = resident_client.get(URL)

    # then the endpoint is stored encrypted and shown only by its host and last characters
    assert added.status_code == 201
    body = added.json()
    assert body["endpoint"] == "fcm.googleapis.com/…MDAx"
    assert body["label"] == "Chrome · Android"
    assert listed.json() == [body]
    stored = PushSubscription.objects.get()
    assert stored.endpoint == ENDPOINT
    assert stored.user == resident
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint, auth FROM inbox_pushsubscription")
        raw_endpoint, raw_auth = cursor.fetchone()
    assert raw_endpoint.startswith("cg1:")
    assert "fcm.googleapis.com" not in raw_endpoint
    assert stored.auth not in raw_auth

    # and when it is removed, it is gone
    removed = resident_client.delete(f"{URL}/{body['id']}")
    assert removed.status_code == 204
    assert resident_client.get(URL).json() == []


def test_the_same_device_again_renews_its_keys_and_stays_one(
    resident: User, resident_client: Client
) -> None:
    resident_client.post(URL, subscription(Device()), content_type="application/json")
    renewed = Device()
    resident_client.post(URL, subscription(renewed), content_type="application/json")
    [stored] = PushSubscription.objects.all()
    assert stored.p256dh == renewed.p256dh


def test_a_device_another_person_signs_in_on_becomes_theirs(
    resident: User, other_resident: User, resident_client: Client, other_client: Client
) -> None:
    # given the resident's device
    resident_client.post(URL, subscription(Device()), content_type="application/json")

    # when another person turns notifications on in the same browser
    answer = other_client.post(URL, subscription(Device()), content_type="application/json")

    # then it no longer shows the first person's messages
    assert answer.status_code == 201
    assert [s.user for s in PushSubscription.objects.all()] == [other_resident]
    assert resident_client.get(URL).json() == []


def test_another_persons_device_cannot_be_removed(
    resident_client: Client, other_client: Client
) -> None:
    added = resident_client.post(URL, subscription(Device()), content_type="application/json")
    answer = other_client.delete(f"{URL}/{added.json()['id']}")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert PushSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.org/x"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.org/x"}, "endpoint"),
        ({"endpoint": ""}, "endpoint"),
        ({"endpoint": "https://[::1/send"}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAA"}}, "keys"),
    ],
)
def test_a_wrong_subscription_is_refused_by_its_field(
    resident_client: Client, change: dict[str, Any], field: str
) -> None:
    answer = resident_client.post(
        URL, {**subscription(Device()), **change}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert field in answer.json()["fields"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    ["http://push.example.org/x", "https://127.0.0.1/x", "https://localhost/x", "https://push/x"],
)
def test_in_production_a_push_endpoint_is_https_on_a_public_name(
    resident_client: Client, endpoint: str
) -> None:
    with override_settings(**PRODUCTION):
        answer = resident_client.post(
            URL, subscription(Device(), endpoint), content_type="application/json"
        )
    assert answer.status_code == 400
    assert "endpoint" in answer.json()["fields"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.1/x",
        "https://0x7f.1/x",
        "https://0177.0.0.1/x",
        "https://10.1/x",
        "https://2130706433/x",
        "https://127.0.0.1./x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://push.localhost/x",
        "https://push.example.0x7f/x",
        "https://push.example.org:8443/x",
        "https://push.example.org:99999/x",
        "https://push.example.org:port/x",
    ],
)
def test_in_production_a_push_endpoint_is_a_name_on_port_443_never_an_address(
    resident_client: Client, endpoint: str
) -> None:
    # when
    with override_settings(**PRODUCTION):
        answer = resident_client.post(
            URL, subscription(Device(), endpoint), content_type="application/json"
        )

    # then
    assert answer.status_code == 400
    assert "endpoint" in answer.json()["fields"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint", [ENDPOINT, "https://updates.push.services.mozilla.com:443/wpush/v2/gAAAA"]
)
def test_in_production_a_push_services_endpoint_is_taken(
    resident_client: Client, endpoint: str
) -> None:
    with override_settings(**PRODUCTION):
        answer = resident_client.post(
            URL, subscription(Device(), endpoint), content_type="application/json"
        )
    assert answer.status_code == 201


def test_a_port_that_is_no_number_is_refused_even_in_development(
    resident_client: Client,
) -> None:
    answer = resident_client.post(
        URL,
        subscription(Device(), "http://127.0.0.1:99999/push/x"),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "endpoint" in answer.json()["fields"]


def test_at_most_ten_devices(resident_client: Client) -> None:
    for number in range(10):
        endpoint = f"{ENDPOINT}{number}"
        answer = resident_client.post(
            URL, subscription(Device(), endpoint), content_type="application/json"
        )
        assert answer.status_code == 201
    answer = resident_client.post(
        URL, subscription(Device(), f"{ENDPOINT}x"), content_type="application/json"
    )
    assert answer.status_code == 400
    assert PushSubscription.objects.count() == 10


def test_devices_are_for_signed_in_people_only() -> None:
    assert Client().get(URL).status_code == 401
    answer = Client().post(URL, subscription(Device()), content_type="application/json")
    assert answer.status_code == 401


def test_turning_a_device_on_needs_the_pages_csrf_token(resident: User) -> None:
    # given a browser session that checks CSRF as browsers do
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)

    # when the subscription comes without the token
    answer = client.post(URL, subscription(Device()), content_type="application/json")

    # then
    assert answer.status_code == 403
    assert not PushSubscription.objects.exists()


def _pushed(resident: User, django_capture_on_commit_callbacks: CaptureOnCommit) -> Delivery:
    Client().force_login(resident)
    from citygate.inbox.services import push_subscription_add

    device = Device()
    push_subscription_add(user=resident, endpoint=ENDPOINT, p256dh=device.p256dh, auth=device.auth)
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(recipient=resident, template="system.notice", params={"subject": "x"})
    assert message is not None
    return message.deliveries.get(channel=Channel.WEB_PUSH)


def test_the_service_worker_reports_a_push_delivered_and_opened_without_a_session(
    resident: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given a push, and a worker with no session that checks CSRF as browsers do
    pushed = _pushed(resident, django_capture_on_commit_callbacks)
    worker = Client(enforce_csrf_checks=True)
    token = {"token": report_token(pushed.pk)}
    base = f"/api/v1/inbox/deliveries/{pushed.pk}"

    # when
    delivered = worker.post(f"{base}/delivered", token, content_type="application/json")
    opened = worker.post(f"{base}/opened", token, content_type="application/json")

    # then
    assert (delivered.status_code, opened.status_code) == (204, 204)
    pushed.refresh_from_db()
    assert pushed.state == DeliveryState.OPENED


def test_a_report_with_a_wrong_token_or_of_an_unknown_kind_changes_nothing(
    resident: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    pushed = _pushed(resident, django_capture_on_commit_callbacks)
    base = f"/api/v1/inbox/deliveries/{pushed.pk}"
    wrong = Client().post(f"{base}/opened", {"token": "0" * 32}, content_type="application/json")
    token = {"token": report_token(pushed.pk)}
    unknown = Client().post(f"{base}/failed", token, content_type="application/json")
    assert (wrong.status_code, unknown.status_code) == (404, 422)
    pushed.refresh_from_db()
    assert pushed.state == DeliveryState.SENT


@pytest.mark.parametrize("token", ["ééé", "é" * 32, "A" * 32, "0" * 31, "0" * 64, ""])
def test_a_report_with_a_token_of_another_shape_is_not_found(
    resident: User, django_capture_on_commit_callbacks: CaptureOnCommit, token: str
) -> None:
    # given
    pushed = _pushed(resident, django_capture_on_commit_callbacks)

    # when
    answer = Client().post(
        f"/api/v1/inbox/deliveries/{pushed.pk}/opened",
        {"token": token},
        content_type="application/json",
    )

    # then
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    pushed.refresh_from_db()
    assert pushed.state == DeliveryState.SENT


# --- Signing out ------------------------------------------------------------------------------


def test_signing_out_turns_off_the_browsers_device_and_no_other(
    resident: User, other_resident: User, resident_client: Client, other_client: Client
) -> None:
    # given the resident's phone and laptop, and another person's device
    for endpoint in (ENDPOINT, f"{ENDPOINT}-laptop"):
        resident_client.post(URL, subscription(Device(), endpoint), content_type="application/json")
    other_client.post(
        URL, subscription(Device(), f"{ENDPOINT}-other"), content_type="application/json"
    )

    # when the resident signs out on the phone, its page's script sending its endpoint
    answer = resident_client.post("/account/logout/", {"push_endpoint": ENDPOINT})

    # then the phone is forgotten, the laptop and the other person's device are not
    assert answer.status_code == 302
    assert sorted(s.endpoint for s in PushSubscription.objects.all()) == [
        f"{ENDPOINT}-laptop",
        f"{ENDPOINT}-other",
    ]
    assert "_auth_user_id" not in resident_client.session


def test_signing_out_cannot_turn_off_another_persons_device(
    resident_client: Client, other_client: Client
) -> None:
    other_client.post(URL, subscription(Device()), content_type="application/json")
    answer = resident_client.post("/account/logout/", {"push_endpoint": ENDPOINT})
    assert answer.status_code == 302
    assert PushSubscription.objects.count() == 1


def test_signing_out_without_the_script_works_and_leaves_the_devices(
    resident_client: Client,
) -> None:
    resident_client.post(URL, subscription(Device()), content_type="application/json")
    answer = resident_client.post("/account/logout/")
    assert (answer.status_code, answer["Location"]) == (302, "/")
    assert PushSubscription.objects.count() == 1
    assert "_auth_user_id" not in resident_client.session


def test_the_sign_out_forms_carry_the_device_script(resident_client: Client) -> None:
    for page in ("/account/", "/account/logout/"):
        html = resident_client.get(page).content.decode()
        assert "data-push-signout" in html
        assert "citygate/push" in html


# --- The preferences page ---------------------------------------------------------------------


def test_the_preferences_page_lists_the_devices_and_turns_one_off(
    resident: User, resident_client: Client
) -> None:
    # given
    added = resident_client.post(URL, subscription(Device()), content_type="application/json")
    device_id = added.json()["id"]

    # when
    page = resident_client.get("/messages/preferences/")
    removed = resident_client.post(f"/messages/preferences/devices/{device_id}/remove/")

    # then
    html = page.content.decode()
    assert "Chrome · Android" in html
    assert "fcm.googleapis.com/…MDAx" in html
    assert ENDPOINT not in html
    assert "data-push hidden" in html or "hidden data-push" in html
    assert (removed.status_code, removed["Location"]) == (302, "/messages/preferences/")
    assert not PushSubscription.objects.exists()
    after = resident_client.get("/messages/preferences/").content.decode()
    assert "已关闭该设备的通知。" in after


def test_turning_off_another_persons_device_on_the_page_says_there_is_none(
    resident_client: Client, other_client: Client
) -> None:
    added = resident_client.post(URL, subscription(Device()), content_type="application/json")
    answer = other_client.post(
        f"/messages/preferences/devices/{added.json()['id']}/remove/", follow=True
    )
    assert "没有这台设备。" in answer.content.decode()
    assert PushSubscription.objects.count() == 1


def test_the_service_worker_handles_pushes_and_clicks(db: None) -> None:
    worker = Client().get("/sw.js").content.decode()
    assert 'addEventListener("push"' in worker
    assert 'addEventListener("notificationclick"' in worker
    assert 'const DELIVERY_REPORT = "/api/v1/inbox/deliveries/";' in worker
