"""The accounts API: sign-in by SMS code, tokens, the person's own account."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import ConfigDict

from citygate.accounts import selectors, services
from citygate.accounts.auth import user_auth
from citygate.accounts.models import User
from citygate.core.http import address_hash
from citygate.core.schemas import ErrorOut
from citygate.privacy.models import ConsentChannel

router = Router(tags=["accounts"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    423: ErrorOut,
    429: ErrorOut,
}


class StrictSchema(Schema):
    # A misspelt field is an error the client should hear about, not silently ignored.
    model_config = ConfigDict(extra="forbid")


# --- Schemas ----------------------------------------------------------------------------------


class SmsCodeIn(StrictSchema):
    phone: str = Field(max_length=32)


class SmsCodeOut(Schema):
    sent: bool
    resend_after: int


class LoginIn(StrictSchema):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=16)
    agree: bool = False
    token: bool = False


class VerificationOut(Schema):
    level: int
    code: str
    label: str


class AgreementOut(Schema):
    kind: str
    version: int
    title: str


class MeOut(Schema):
    id: uuid.UUID
    phone: str
    name: str
    verification: VerificationOut
    roles: list[str]
    language: str
    elderly_mode: bool
    pending_agreements: list[AgreementOut]


class LoginOut(Schema):
    user: MeOut
    created: bool
    token: str | None


class PreferencesIn(StrictSchema):
    language: str | None = Field(default=None, max_length=16)
    elderly_mode: bool | None = None


# --- Helpers ----------------------------------------------------------------------------------


def me_out(user: User) -> dict[str, Any]:
    summary = selectors.account_summary(user=user)
    return {
        "id": user.pk,
        "phone": summary.phone,
        "name": summary.name,
        "verification": {
            "level": summary.verification_level,
            "code": summary.verification_code,
            "label": summary.verification_label,
        },
        "roles": summary.roles,
        "language": user.preferred_language or settings.LANGUAGE_CODE,
        "elderly_mode": user.elderly_mode,
        "pending_agreements": [vars(a) for a in summary.pending_agreements],
    }


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError
    return user


# --- Endpoints --------------------------------------------------------------------------------


@router.post("/auth/sms-code", response={202: SmsCodeOut, **ERRORS}, auth=None)
def sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status[dict[str, Any]]:
    sent = services.sms_code_send(phone=payload.phone, address_hash=address_hash(request))
    return Status(202, {"sent": True, "resend_after": sent.resend_after})


@router.post("/auth/login", response={200: LoginOut, **ERRORS}, auth=None)
def sign_in(request: HttpRequest, payload: LoginIn) -> dict[str, Any]:
    result = services.user_sign_in(
        phone=payload.phone, code=payload.code, agree=payload.agree, channel=ConsentChannel.API
    )
    token = None
    if payload.token:
        token = services.api_token_issue(user=result.user)
    else:
        # login() rotates the session key, so a key planted before sign-in is worthless.
        login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    return {"user": me_out(result.user), "created": result.created, "token": token}


@router.post("/auth/logout", response={204: None, **ERRORS}, auth=user_auth)
def sign_out(request: HttpRequest) -> Status[None]:
    token = bearer_token(request)
    if token is not None:
        services.api_token_revoke(token=token)
    if request.session.session_key:
        logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **ERRORS}, auth=user_auth)
def me(request: HttpRequest) -> dict[str, Any]:
    return me_out(current_user(request))


@router.put("/me/preferences", response={200: MeOut, **ERRORS}, auth=user_auth)
def preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    user = services.user_preferences_update(
        user=current_user(request), language=payload.language, elderly_mode=payload.elderly_mode
    )
    return me_out(user)
