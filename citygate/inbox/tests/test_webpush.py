"""Web Push on the wire: RFC 8291 encryption (checked against the RFC's own example and by
decrypting with the device's key) and the RFC 8292 VAPID token the push service checks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from citygate.accounts.models import User
from citygate.inbox import webpush
from citygate.inbox.channels import PushAnswer, VapidWebPushBackend, WebPushChannel
from citygate.inbox.delivery import rendered
from citygate.inbox.models import Channel, Delivery, DeliveryState, PushSubscription
from citygate.inbox.services import notify, push_subscription_add
from citygate.inbox.tests.conftest import device_of
from citygate.inbox.tests.pushservice import Device, LocalPushService

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# RFC 8291, Appendix A: the example's keys, salt and message, and the body it gives.
RFC_PLAINTEXT = b"When I grow up, I want to be a watermelon"
RFC_AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
RFC_DEVICE_KEY = (
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
)
RFC_SENDER_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
RFC_SALT = "DGv6ra1nlYgDCS1FRnbzlw"
RFC_BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAm"
    "S6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Q"
    "ulcy4a-fN"
)


def test_encryption_gives_the_body_of_the_rfcs_example() -> None:
    # given the example's sender key and salt
    sender = ec.derive_private_key(
        int.from_bytes(webpush.b64url_decode(RFC_SENDER_PRIVATE), "big"), ec.SECP256R1()
    )

    # when
    body = webpush.encrypt(
        RFC_PLAINTEXT,
        p256dh=RFC_DEVICE_KEY,
        auth=RFC_AUTH,
        salt=webpush.b64url_decode(RFC_SALT),
        sender_key=sender,
    )

    # then
    assert webpush.b64url_encode(body) == RFC_BODY


def test_a_device_decrypts_what_is_sent_to_it_and_no_other_device_can() -> None:
    # given
    device, stranger = Device(), Device()

    # when
    body = webpush.encrypt("居住证已办结".encode(), p256dh=device.p256dh, auth=device.auth)

    # then
    assert device.decrypt(body).decode() == "居住证已办结"
    stranger.secret = device.secret
    with pytest.raises(InvalidTag):
        stranger.decrypt(body)


@pytest.mark.parametrize(
    ("p256dh", "auth"),
    [
        ("not base64!", "BTBZMqHH6r4Tts7J_aSIgg"),
        (RFC_DEVICE_KEY[:-4], RFC_AUTH),
        (RFC_DEVICE_KEY, RFC_AUTH + "AA"),
        ("B" + "A" * 86, RFC_AUTH),  # 65 bytes, but no point of the curve
    ],
)
def test_keys_that_are_not_a_p256_point_and_a_16_byte_secret_are_refused(
    p256dh: str, auth: str
) -> None:
    with pytest.raises(webpush.WebPushKeyError):
        webpush.device_keys(p256dh, auth)


def test_a_payload_too_large_for_every_push_service_is_refused() -> None:
    device = Device()
    with pytest.raises(ValueError, match="3000"):
        webpush.encrypt(b"x" * 3001, p256dh=device.p256dh, auth=device.auth)


def _verify_vapid(header: str, endpoint: str) -> dict[str, Any]:
    """Checks the Authorization header as a push service does; the token's claims."""
    scheme, _space, rest = header.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), webpush.b64url_decode(fields["k"])
    )
    head, claims, signature = fields["t"].split(".")
    raw = webpush.b64url_decode(signature)
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(webpush.b64url_decode(head)) == {"typ": "JWT", "alg": "ES256"}
    found: dict[str, Any] = json.loads(webpush.b64url_decode(claims))
    assert found["aud"] == endpoint.split("/push/")[0]
    assert time.time() < found["exp"] <= time.time() + 24 * 60 * 60
    assert fields["k"] == webpush.vapid_public_key()
    return found


@pytest.mark.django_db
def test_the_real_backend_posts_an_encrypted_signed_push_to_the_push_service(
    resident: User,
    push_service: LocalPushService,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given a phone with notifications on
    device = device_of(resident, push_service)

    # when a notice is sent
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(
            recipient=resident, template="system.notice", params={"subject": "居住证续签"}
        )
    assert message is not None

    # then the push service got one encrypted, signed POST
    [request] = push_service.received
    assert request.path == "/push/phone"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == "86400"
    assert request.headers["urgency"] == "high"
    claims = _verify_vapid(request.headers["authorization"], push_service.endpoint("phone"))
    assert claims["sub"].startswith("mailto:")
    assert "居住证".encode() not in request.body

    # and the phone reads the notice in Chinese with its link and report token
    pushed = message.deliveries.get(channel=Channel.WEB_PUSH)
    payload = json.loads(device.decrypt(request.body))
    assert payload["title"] == "通知：居住证续签"
    assert payload["link"] == "/messages/"
    assert payload["delivery"] == str(pushed.pk)
    assert pushed.state == DeliveryState.SENT
    assert pushed.provider_ref == "/push/phone/messages/1"


def test_a_vapid_token_signed_by_another_key_does_not_verify() -> None:
    # given a header, and a second key in its place
    header = webpush.vapid_authorization("https://push.example.org/send/1")
    other = webpush.public_key_of(ec.generate_private_key(ec.SECP256R1()))
    forged = header.split(", k=")[0] + f", k={other}"

    # when, then
    with pytest.raises(InvalidSignature):
        _verify_vapid(forged, "https://push.example.org/push/1")


def test_production_without_a_vapid_key_refuses_to_sign() -> None:
    with (
        override_settings(DEBUG=False, TESTING=False, CITYGATE_VAPID_PRIVATE_KEY=""),
        pytest.raises(ImproperlyConfigured),
    ):
        webpush.vapid_public_key()


def test_a_configured_vapid_key_is_used() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    private = webpush.b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
    development = webpush.vapid_public_key()
    with override_settings(CITYGATE_VAPID_PRIVATE_KEY=private):
        assert webpush.vapid_public_key() == webpush.public_key_of(key)
    assert development != webpush.public_key_of(key)


# --- Where the real backend connects ------------------------------------------------------------


class Dns:
    """The name service, as the backend sees it: these answers, every question kept."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int, timeout: float) -> list[str]:
        self.asked.append((host, port))
        return self.addresses


def _device_at(endpoint: str) -> PushSubscription:
    device = Device()
    return PushSubscription(endpoint=endpoint, p256dh=device.p256dh, auth=device.auth)


def _push(backend: VapidWebPushBackend, subscription: PushSubscription) -> PushAnswer:
    return backend.push(subscription=subscription, payload={"title": "x"}, ttl=60, urgency="high")


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.5"],
        ["172.16.3.4"],
        ["192.168.1.2"],
        ["169.254.169.254"],
        ["100.64.0.1"],
        ["0.0.0.0"],  # noqa: S104 (an answer of the name service, not a binding)
        ["::1"],
        ["::ffff:10.0.0.1"],
        ["fe80::1%eth0"],
        ["fc00::5"],
        ["224.0.0.1"],
        ["93.184.216.34", "192.168.1.2"],
        [],
    ],
)
@override_settings(CITYGATE_WEB_PUSH_ALLOW_LOCAL=False)
def test_the_real_backend_refuses_a_name_with_an_address_that_is_not_public(
    addresses: list[str],
) -> None:
    # given a push service's name that resolves (also) to an address of a private network
    dns = Dns(*addresses)
    backend = VapidWebPushBackend(resolver=dns)

    # when
    answer = _push(backend, _device_at("https://push.example.org/send/1"))

    # then nothing is sent, for good
    assert dns.asked == [("push.example.org", 443)]
    assert answer == PushAnswer(status=0, refused="address_refused")


@pytest.mark.parametrize(
    "endpoint",
    ["https://127.1/x", "https://0x7f.1/x", "http://push.example.org/x", "https://a.org:8443/x"],
)
@override_settings(CITYGATE_WEB_PUSH_ALLOW_LOCAL=False)
def test_an_endpoint_saved_before_the_rules_is_refused_without_asking_the_name_service(
    endpoint: str,
) -> None:
    dns = Dns("93.184.216.34")
    answer = _push(VapidWebPushBackend(resolver=dns), _device_at(endpoint))
    assert answer == PushAnswer(status=0, refused="endpoint_refused")
    assert dns.asked == []


@pytest.mark.django_db
def test_a_refused_address_fails_the_push_for_good(
    resident: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    device = Device()
    push_subscription_add(
        user=resident,
        endpoint="https://push.example.org/send/1",
        p256dh=device.p256dh,
        auth=device.auth,
    )
    message = notify(recipient=resident, template="system.notice", params={"subject": "x"})
    assert message is not None
    channel = WebPushChannel(VapidWebPushBackend(resolver=Dns("10.0.0.5")))

    # when
    with override_settings(CITYGATE_WEB_PUSH_ALLOW_LOCAL=False):
        outcome = channel.send(Delivery(message=message), rendered(message))

    # then
    assert (outcome.sent, outcome.retryable, outcome.error_code) == (
        False,
        False,
        "address_refused",
    )


def test_the_backend_connects_to_the_address_it_checked(push_service: LocalPushService) -> None:
    # given a name no real name service knows, which the checked answer points at this machine
    port = push_service.url.rsplit(":", 1)[1]
    dns = Dns("127.0.0.1")
    subscription = _device_at(f"http://push.test.invalid:{port}/push/phone")

    # when
    answer = _push(VapidWebPushBackend(resolver=dns), subscription)

    # then the request went to that address, naming the push service's host
    assert answer.status == 201
    [request] = push_service.received
    assert request.headers["host"] == f"push.test.invalid:{port}"
    assert dns.asked == [("push.test.invalid", int(port))]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_from_the_push_service_is_never_followed(
    push_service: LocalPushService, status: int
) -> None:
    # given
    push_service.answer("phone", status)

    # when
    answer = _push(VapidWebPushBackend(), _device_at(push_service.endpoint("phone")))

    # then
    assert answer.status == status
    assert [request.path for request in push_service.received] == ["/push/phone"]
