"""The channels a message reaches a person on, behind one interface.

Each channel takes a delivery and the message as the recipient reads it (`Rendered`, in their
language) and answers an `Outcome`: sent, or failed, and whether trying again may help. What
happens next (retry, fallback, the state recorded) is inbox/delivery.py's business, so a
channel knows nothing of attempts or of the other channels.

- in the app: the inbox itself; a message is there as soon as it is saved.
- Web Push: to every device the person turned notifications on for, through the backend named
  by ``CITYGATE_WEB_PUSH_BACKEND``: `OutboxWebPushBackend` (development: each push kept in the
  `WebPushOutboxMessage` table) or `VapidWebPushBackend` (RFC 8291 + RFC 8292, webpush.py).
- SMS: through the accounts app's gateway (accounts/sms.py), to the account's number. The text
  is the message's title and a short link to it, nothing else: a text message sits on a phone's
  lock screen and in the operator's records, so it carries no more than a push's title.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from citygate.accounts.outside import OutsideServiceError
from citygate.accounts.sms import SmsAcceptedWithoutId, get_sms_gateway
from citygate.core.logging import get_logger
from citygate.inbox import webpush
from citygate.inbox.models import (
    PROVIDER_REF_MAX_LENGTH,
    Channel,
    Delivery,
    Kind,
    PushSubscription,
    WebPushOutboxMessage,
)

log = get_logger(__name__)

SMS_TEMPLATE = "inbox.notice"
# A push waits at most a day at the push service for a device that is off.
PUSH_TTL_SECONDS = 24 * 60 * 60
PUSH_TIMEOUT_SECONDS = 5.0
# All the devices of one delivery are pushed to within this, well inside delivery.LEASE (two
# minutes) even with the last device's own timeouts (name service, connecting, the answer).
PUSH_SEND_BUDGET_SECONDS = 60.0
# A push service answers with headers; what else it says is read only this far.
PUSH_ANSWER_MAX_BYTES = 4096
_REPORT_SALT = "citygate.inbox.delivery_report"
REPORT_TOKEN_LENGTH = 32
_HEX_DIGITS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Rendered:
    """A message as its recipient reads it: in their language, with the path it links to."""

    title: str
    body: str
    link: str
    language: str


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retryable: bool = False
    # Our own short code for what failed ("no_device", "http_503"); never a provider's text.
    error_code: str = ""
    provider_ref: str = ""

    @classmethod
    def ok(cls, provider_ref: str = "") -> Outcome:
        return cls(sent=True, provider_ref=provider_ref[:PROVIDER_REF_MAX_LENGTH])

    @classmethod
    def failed(cls, error_code: str, *, retryable: bool) -> Outcome:
        return cls(sent=False, retryable=retryable, error_code=error_code)


class ChannelBackend:
    channel: str = ""

    def send(self, delivery: Delivery, rendered: Rendered) -> Outcome:
        raise NotImplementedError


def report_token(delivery_id: object) -> str:
    """What a device shows to report a delivery delivered or opened: the id signed by us.

    A push carries it so that the service worker can report without the person's session
    (which a worker woken by a push may not have) and without anything personal in the URL.
    """
    digest: str = salted_hmac(_REPORT_SALT, str(delivery_id), algorithm="sha256").hexdigest()
    return digest[:REPORT_TOKEN_LENGTH]


def report_token_valid(delivery_id: object, token: str) -> bool:
    # The shape first: compare_digest takes ASCII text only, and anything else is no token.
    if len(token) != REPORT_TOKEN_LENGTH or not set(token) <= _HEX_DIGITS:
        return False
    return secrets.compare_digest(report_token(delivery_id), token)


# --- In the app -------------------------------------------------------------------------------


class InAppChannel(ChannelBackend):
    channel = Channel.IN_APP

    def send(self, delivery: Delivery, rendered: Rendered) -> Outcome:
        # The message is in the inbox from the moment it was saved.
        return Outcome.ok()


# --- Web Push ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushAnswer:
    """What the push service said: its HTTP status (0 when unreachable) and its reference;
    `refused` is our own code when the push was not even sent ("address_refused")."""

    status: int
    reference: str = ""
    refused: str = ""


class WebPushBackend:
    def push(
        self,
        *,
        subscription: PushSubscription,
        payload: dict[str, Any],
        ttl: int,
        urgency: str,
        timeout: float = PUSH_TIMEOUT_SECONDS,
    ) -> PushAnswer:
        raise NotImplementedError


class OutboxWebPushBackend(WebPushBackend):
    def push(
        self,
        *,
        subscription: PushSubscription,
        payload: dict[str, Any],
        ttl: int,
        urgency: str,
        timeout: float = PUSH_TIMEOUT_SECONDS,
    ) -> PushAnswer:
        kept = WebPushOutboxMessage.objects.create(
            subscription_id=subscription.pk, payload=payload, ttl=ttl, urgency=urgency
        )
        return PushAnswer(status=201, reference=str(kept.pk))


# Name resolution has no timeout of its own: it runs here, and is waited for only so long.
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="citygate-push-dns")
Resolver = Callable[[str, int, float], list[str]]


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of a name, within `timeout` seconds (TimeoutError after)."""
    found = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found.result(timeout=timeout)]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to the address that was checked (the tests' own push service only)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the address that was checked, the certificate verified for the name: resolving
    the name again to connect would let a second answer point elsewhere."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


class VapidWebPushBackend(WebPushBackend):
    """RFC 8291 and 8292 over HTTPS, to a public address of the push service's name, once:
    a redirect is an answer like any other, never followed."""

    def __init__(
        self, *, timeout: float = PUSH_TIMEOUT_SECONDS, resolver: Resolver = resolve
    ) -> None:
        self.timeout = timeout
        self.resolver = resolver

    def push(
        self,
        *,
        subscription: PushSubscription,
        payload: dict[str, Any],
        ttl: int,
        urgency: str,
        timeout: float = PUSH_TIMEOUT_SECONDS,
    ) -> PushAnswer:
        endpoint = subscription.endpoint
        if not webpush.endpoint_acceptable(endpoint):
            return PushAnswer(status=0, refused="endpoint_refused")
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        timeout = min(timeout, self.timeout)
        try:
            addresses = self.resolver(host, port, timeout)
        except (OSError, UnicodeError):
            return PushAnswer(status=0)
        if not addresses or not all(webpush.address_acceptable(a) for a in addresses):
            return PushAnswer(status=0, refused="address_refused")
        body = webpush.encrypt(
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            p256dh=subscription.p256dh,
            auth=subscription.auth,
        )
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Encoding": "aes128gcm",
            "TTL": str(ttl),
            "Urgency": urgency,
            "Authorization": webpush.vapid_authorization(endpoint),
        }
        pinned = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = pinned(host, port, address=addresses[0], timeout=timeout)
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            response.read(PUSH_ANSWER_MAX_BYTES)
            return PushAnswer(status=response.status, reference=response.getheader("Location", ""))
        except (OSError, http.client.HTTPException):
            # Timeouts, refused connections, TLS failures, and answers that are not HTTP.
            return PushAnswer(status=0)
        finally:
            connection.close()


def get_web_push_backend() -> WebPushBackend:
    backend: WebPushBackend = import_string(settings.CITYGATE_WEB_PUSH_BACKEND)()
    return backend


# 404 and 410: the subscription is gone for good (RFC 8030 section 7.3).
GONE = frozenset({404, 410})


def _push_error(answer: PushAnswer) -> tuple[str, bool]:
    """Our code for a push service's refusal, and whether another try may help."""
    status = answer.status
    if answer.refused:
        return answer.refused, False
    if status == 0:
        return "unreachable", True
    if status == 429 or status >= 500:
        return f"http_{status}", True
    return f"http_{status}", False


class WebPushChannel(ChannelBackend):
    channel = Channel.WEB_PUSH

    def __init__(self, backend: WebPushBackend | None = None) -> None:
        self.backend = backend or get_web_push_backend()

    def payload(self, delivery: Delivery, rendered: Rendered) -> dict[str, Any]:
        """What the service worker shows. The message's own words, and ids; nothing else.

        Cut to what every push service takes (webpush.PAYLOAD_MAX_BYTES): the body first, then
        the title, each ending in "…"; the whole message is in the inbox the push links to.
        """
        payload = {
            "title": rendered.title,
            "body": rendered.body,
            "link": rendered.link,
            "lang": rendered.language,
            "tag": str(delivery.message_id),
            "delivery": str(delivery.pk),
            "token": report_token(delivery.pk),
        }
        for field in ("body", "title"):
            if _payload_fits(payload):
                break
            payload[field] = _longest_fitting(payload, field)
        return payload

    def send(self, delivery: Delivery, rendered: Rendered) -> Outcome:
        devices = list(PushSubscription.objects.filter(user_id=delivery.message.recipient_id))
        if not devices:
            return Outcome.failed("no_device", retryable=False)
        payload = self.payload(delivery, rendered)
        urgency = "normal" if delivery.message.kind == Kind.NEWS else "high"
        deadline = time.monotonic() + PUSH_SEND_BUDGET_SECONDS
        accepted: list[str] = []
        errors: list[tuple[str, bool]] = []
        for device in devices:
            left = deadline - time.monotonic()
            if left <= 0:
                # The rest wait for the retry; the lease must not run out mid-send.
                errors.append(("out_of_time", True))
                break
            answer = self._push_one(device, payload, urgency, min(left, PUSH_TIMEOUT_SECONDS))
            if 200 <= answer.status < 300:
                accepted.append(answer.reference)
                PushSubscription.objects.filter(pk=device.pk).update(last_success_at=timezone.now())
                continue
            if answer.status in GONE:
                # The browser dropped it (the app was removed, or permission withdrawn).
                device.delete()
                log.info("inbox.push_subscription_gone", subscription_id=str(device.pk))
            errors.append(_push_error(answer))
        if accepted:
            # One device took it: the person is reached, and trying the others again would
            # show it twice on the devices that did.
            return Outcome.ok(accepted[0])
        retryable = [code for code, again in errors if again]
        if retryable:
            return Outcome.failed(retryable[0], retryable=True)
        return Outcome.failed(errors[0][0] if errors else "no_device", retryable=False)

    def _push_one(
        self, device: PushSubscription, payload: dict[str, Any], urgency: str, timeout: float
    ) -> PushAnswer:
        try:
            return self.backend.push(
                subscription=device,
                payload=payload,
                ttl=PUSH_TTL_SECONDS,
                urgency=urgency,
                timeout=timeout,
            )
        except Exception as exc:
            # An answer no backend foresaw: the devices that took the push already must not be
            # sent it again because this one raised. The type only: the text may quote the
            # endpoint.
            log.warning(
                "inbox.push_error", subscription_id=str(device.pk), error=type(exc).__name__
            )
            return PushAnswer(status=0, refused="push_error")


def _payload_size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _payload_fits(payload: dict[str, Any]) -> bool:
    return _payload_size(payload) <= webpush.PAYLOAD_MAX_BYTES


def _longest_fitting(payload: dict[str, Any], field: str) -> str:
    """The longest start of `payload[field]`, with "…", that lets the payload fit ("" if none)."""
    text: str = payload[field]
    shortest, longest = 0, len(text)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if _payload_fits({**payload, field: text[:middle] + "…"}):
            shortest = middle
        else:
            longest = middle - 1
    return text[:shortest] + "…" if shortest else ""


# --- SMS --------------------------------------------------------------------------------------


def short_link(delivery: Delivery) -> str:
    """The address a text message gives: /m/<code>/, which opens the message's own page."""
    return f"{settings.CITYGATE_PUBLIC_URL}/m/{delivery.link_code}/"


def sms_text(delivery: Delivery, rendered: Rendered) -> str:
    """The title and the short link, in the recipient's language like the title itself."""
    with translation.override(rendered.language):
        return gettext("[CityGate] %(title)s %(link)s") % {
            "title": rendered.title,
            "link": short_link(delivery),
        }


class SmsChannel(ChannelBackend):
    channel = Channel.SMS

    def send(self, delivery: Delivery, rendered: Rendered) -> Outcome:
        phone = delivery.message.recipient.phone
        if not phone:
            return Outcome.failed("no_phone", retryable=False)
        if not delivery.link_code:
            delivery.link_code = secrets.token_urlsafe(9)
            Delivery.objects.filter(pk=delivery.pk, link_code__isnull=True).update(
                link_code=delivery.link_code
            )
            delivery.refresh_from_db(fields=["link_code"])
        try:
            reference = get_sms_gateway().send(
                phone=phone,
                text=sms_text(delivery, rendered),
                template=SMS_TEMPLATE,
                # The same on every attempt: a retry after an answer that was lost (a timeout
                # once the gateway had the message) is not a second text message.
                client_ref=str(delivery.pk),
            )
        except SmsAcceptedWithoutId:
            # Taken, only without its id: sending again would send it twice.
            return Outcome.ok()
        except OutsideServiceError:
            return Outcome.failed("gateway_error", retryable=True)
        return Outcome.ok(reference)


def channel_backend(channel: str) -> ChannelBackend:
    backends: dict[str, type[ChannelBackend]] = {
        Channel.IN_APP: InAppChannel,
        Channel.WEB_PUSH: WebPushChannel,
        Channel.SMS: SmsChannel,
    }
    return backends[channel]()
