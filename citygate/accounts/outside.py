"""What the production adapters of outside services share: one JSON POST with a bearer token.

The SMS gateway and the identity and enterprise verifiers all speak JSON over HTTPS. Errors
come back as `OutsideServiceError` whose text names the service and what failed, never the
request or response body: those carry phone numbers, names and ID numbers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Long enough for a slow gateway, short enough that a request thread is not held for long.
DEFAULT_TIMEOUT_SECONDS = 5.0
# Answers larger than this are not what these services send; stop reading rather than buffer.
MAX_RESPONSE_BYTES = 64 * 1024


class OutsideServiceError(Exception):
    """An outside service could not be reached or gave an answer we cannot use."""


def post_json(
    *,
    service: str,
    url: str,
    token: str,
    payload: dict[str, Any],
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    if not url:
        raise ImproperlyConfigured(f"{service}: no URL configured")
    # Personal data leaves only over TLS; plain HTTP is for local test servers.
    if not url.startswith("https://") and not (settings.DEBUG or settings.TESTING):
        raise ImproperlyConfigured(f"{service}: the URL must use https")

    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise OutsideServiceError(f"{service}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise OutsideServiceError(f"{service}: unreachable ({type(exc).__name__})") from None

    if len(body) > MAX_RESPONSE_BYTES:
        raise OutsideServiceError(f"{service}: answer too large")
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise OutsideServiceError(f"{service}: answer is not JSON") from None
    if not isinstance(answer, dict):
        raise OutsideServiceError(f"{service}: answer is not a JSON object")
    return answer


class JsonHttpAdapter:
    """Base of the production adapters: an endpoint and token from settings, one JSON POST."""

    service = ""
    # Names of the settings holding the endpoint and its bearer token.
    url_setting = ""
    auth_setting = ""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.url = getattr(settings, self.url_setting) if url is None else url
        self.token = getattr(settings, self.auth_setting) if token is None else token
        self.timeout = timeout

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        return post_json(
            service=self.service,
            url=self.url,
            token=self.token,
            payload=payload,
            timeout=self.timeout,
        )
