"""Sending text messages, behind one small interface with a backend chosen in settings.

``CITYGATE_SMS_BACKEND`` names the class, as Django's ``EMAIL_BACKEND`` does:

- ``OutboxSmsGateway`` (development): keeps each message, encrypted, in the `SmsOutboxMessage`
  table, which every process shares; ``GET /dev/outbox.json`` lists them while DEBUG is on.
- ``HttpSmsGateway`` (production): POSTs ``{"phone", "text", "template"}`` as JSON to
  ``CITYGATE_SMS_URL`` with ``CITYGATE_SMS_TOKEN`` as bearer token and expects
  ``{"message_id": "..."}`` back. A sender that may try again (the inbox's text messages) adds
  ``"client_ref"``, the same on every try, which the gateway sends once: an answer lost to a
  timeout after the gateway took the message must not become a second text message.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from citygate.accounts.models import SmsOutboxMessage
from citygate.accounts.outside import JsonHttpAdapter, OutsideServiceError


class SmsDeliveryError(OutsideServiceError):
    """The gateway did not accept the message."""


class SmsAcceptedWithoutId(SmsDeliveryError):
    """The gateway took the message (HTTP 2xx) but gave no message id for it."""


class SmsGateway:
    def send(self, *, phone: str, text: str, template: str, client_ref: str = "") -> str:
        """Send `text` to the mainland mobile number `phone`; returns the gateway's message id.

        `client_ref` names the message for the gateway, so that a second try is not a second
        message.
        """
        raise NotImplementedError


class OutboxSmsGateway(SmsGateway):
    def send(self, *, phone: str, text: str, template: str, client_ref: str = "") -> str:
        message = SmsOutboxMessage.objects.create(phone=phone, text=text, template=template)
        return str(message.pk)


class HttpSmsGateway(JsonHttpAdapter, SmsGateway):
    service = "sms"
    url_setting = "CITYGATE_SMS_URL"
    auth_setting = "CITYGATE_SMS_TOKEN"

    def send(self, *, phone: str, text: str, template: str, client_ref: str = "") -> str:
        payload = {"phone": phone, "text": text, "template": template}
        if client_ref:
            payload["client_ref"] = client_ref
        try:
            answer = self.post(payload)
        except OutsideServiceError as exc:
            raise SmsDeliveryError(str(exc)) from None
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise SmsAcceptedWithoutId("sms: answer has no message_id")
        return message_id


def get_sms_gateway() -> SmsGateway:
    gateway_class = import_string(settings.CITYGATE_SMS_BACKEND)
    gateway: SmsGateway = gateway_class()
    return gateway
