"""System checks that stop a production server from starting with development secrets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(Error("SECRET_KEY is the development key.", id="citygate.E001"))
    if not settings.CITYGATE_DATA_KEYS or not settings.CITYGATE_INDEX_KEY:
        errors.append(
            Error(
                "CITYGATE_DATA_KEYS and CITYGATE_INDEX_KEY must be set in production.",
                id="citygate.E002",
            )
        )
    if settings.CITYGATE_CRYPTO not in {"aes", "sm"}:
        errors.append(Error("CITYGATE_CRYPTO must be 'aes' or 'sm'.", id="citygate.E003"))
    if settings.CITYGATE_SMS_BACKEND.endswith("OutboxSmsGateway") and not settings.DEBUG:
        errors.append(
            Error(
                "The development SMS outbox is configured; set CITYGATE_SMS_BACKEND.",
                id="citygate.E004",
            )
        )
    if settings.CITYGATE_WEB_PUSH_BACKEND.endswith("OutboxWebPushBackend") and not settings.DEBUG:
        errors.append(
            Error(
                "The development Web Push outbox is configured; set CITYGATE_WEB_PUSH_BACKEND.",
                id="citygate.E006",
            )
        )
    if not settings.CITYGATE_VAPID_PRIVATE_KEY or not settings.CITYGATE_PUBLIC_URL:
        # Without them the development VAPID key would sign pushes, and text messages would
        # link to nowhere.
        errors.append(
            Error(
                "CITYGATE_VAPID_PRIVATE_KEY and CITYGATE_PUBLIC_URL must be set in production.",
                id="citygate.E007",
            )
        )
    development_backends = {
        "CITYGATE_IDENTITY_VERIFIER": settings.CITYGATE_IDENTITY_VERIFIER,
        "CITYGATE_ENTERPRISE_VERIFIER": settings.CITYGATE_ENTERPRISE_VERIFIER,
    }
    for name, path in development_backends.items():
        # The development verifiers accept any well-formed number: never in production.
        if path.rsplit(".", 1)[-1].startswith("Development") and not settings.DEBUG:
            errors.append(
                Error(
                    f"{name} is a development verifier; set a production one.", id="citygate.E005"
                )
            )
    return errors
