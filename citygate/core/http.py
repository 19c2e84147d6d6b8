"""Helpers for reading what a request says about its client."""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.http import HttpRequest

# How many proxies (load balancers) stand in front of the app servers and append to
# X-Forwarded-For. The address they saw is the one that many places from the right.
PROXY_COUNT = int(os.environ.get("CITYGATE_PROXY_COUNT", "0"))


def client_address(request: HttpRequest) -> str:
    if PROXY_COUNT:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= PROXY_COUNT:
            return str(forwarded[-PROXY_COUNT])
    return str(request.META.get("REMOTE_ADDR", ""))


def address_hash(request: HttpRequest) -> str:
    """A keyed hash of the client address: enough to rate-limit, never the address itself."""
    salt = (settings.CITYGATE_ADDRESS_SALT or settings.SECRET_KEY).encode()
    return hmac.new(salt, client_address(request).encode(), hashlib.sha256).hexdigest()[:32]
