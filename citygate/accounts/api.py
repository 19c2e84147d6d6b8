"""The accounts API: sign-in by SMS code, tokens, the person's own account, real-name
verification, enterprises and their agents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import ConfigDict

from citygate.accounts import selectors, services
from citygate.accounts.auth import user_auth
from citygate.accounts.models import EnterpriseAgent, User
from citygate.core.errors import NotFound
from citygate.core.http import address_hash
from citygate.core.schemas import ErrorOut
from citygate.privacy.masking import mask_name, mask_phone
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


class EnterpriseBriefOut(Schema):
    id: uuid.UUID
    name: str
    credit_code: str
    relation: str
    valid_until: date | None


class MeOut(Schema):
    id: uuid.UUID
    phone: str
    name: str
    id_number: str
    verification: VerificationOut
    verified_at: datetime | None
    roles: list[str]
    enterprises: list[EnterpriseBriefOut]
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


class RealNameIn(StrictSchema):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)
    consent: bool


class EnterpriseIn(StrictSchema):
    credit_code: str = Field(max_length=32)
    name: str = Field(max_length=200)


class AgentOut(Schema):
    id: uuid.UUID
    phone: str
    name: str
    valid_until: date
    granted_at: datetime


class EnterpriseOut(Schema):
    id: uuid.UUID
    name: str
    credit_code: str
    relation: str
    verified_at: datetime
    valid_until: date | None
    agents: list[AgentOut]


class AgentIn(StrictSchema):
    phone: str = Field(max_length=32)
    valid_until: date


# --- Helpers ----------------------------------------------------------------------------------


def me_out(user: User) -> dict[str, Any]:
    summary = selectors.account_summary(user=user)
    return {
        "id": user.pk,
        "phone": summary.phone,
        "name": summary.name,
        "id_number": summary.id_number,
        "verification": {
            "level": summary.verification_level,
            "code": summary.verification_code,
            "label": summary.verification_label,
        },
        "verified_at": user.verified_at,
        "roles": summary.roles,
        "enterprises": [
            {
                "id": m.enterprise.pk,
                "name": m.enterprise.name,
                "credit_code": m.enterprise.credit_code,
                "relation": m.relation.value,
                "valid_until": m.valid_until,
            }
            for m in summary.enterprises
        ],
        "language": user.preferred_language or settings.LANGUAGE_CODE,
        "elderly_mode": user.elderly_mode,
        "pending_agreements": [vars(a) for a in summary.pending_agreements],
    }


def agent_out(agent: EnterpriseAgent) -> dict[str, Any]:
    return {
        "id": agent.pk,
        "phone": mask_phone(agent.user.phone),
        "name": mask_name(agent.user.name),
        "valid_until": agent.valid_until,
        "granted_at": agent.granted_at,
    }


def enterprise_out(membership: selectors.Membership) -> dict[str, Any]:
    enterprise = membership.enterprise
    return {
        "id": enterprise.pk,
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "relation": membership.relation.value,
        "verified_at": enterprise.verified_at,
        "valid_until": membership.valid_until,
        "agents": [agent_out(agent) for agent in membership.agents],
    }


def membership_or_404(user: User, enterprise_id: uuid.UUID) -> selectors.Membership:
    membership = selectors.enterprise_for_user(user=user, enterprise_id=enterprise_id)
    if membership is None:
        raise NotFound(_("This enterprise is not one of yours."))
    return membership


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


@router.post("/me/real-name", response={200: MeOut, **ERRORS}, auth=user_auth)
def real_name(request: HttpRequest, payload: RealNameIn) -> dict[str, Any]:
    user = services.user_real_name_verify(
        user=current_user(request),
        name=payload.name,
        id_number=payload.id_number,
        consent=payload.consent,
        channel=ConsentChannel.API,
    )
    return me_out(user)


@router.post("/enterprises", response={201: EnterpriseOut, **ERRORS}, auth=user_auth)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status[dict[str, Any]]:
    user = current_user(request)
    enterprise = services.enterprise_register(
        user=user, credit_code=payload.credit_code, name=payload.name
    )
    return Status(201, enterprise_out(membership_or_404(user, enterprise.pk)))


@router.get("/enterprises", response={200: list[EnterpriseOut], **ERRORS}, auth=user_auth)
def enterprise_list(request: HttpRequest) -> list[dict[str, Any]]:
    memberships = selectors.enterprise_list_for_user(user=current_user(request))
    return [enterprise_out(m) for m in memberships]


@router.post(
    "/enterprises/{enterprise_id}/agents", response={201: AgentOut, **ERRORS}, auth=user_auth
)
def agent_create(
    request: HttpRequest, enterprise_id: uuid.UUID, payload: AgentIn
) -> Status[dict[str, Any]]:
    user = current_user(request)
    membership = membership_or_404(user, enterprise_id)
    agent = services.enterprise_agent_authorise(
        enterprise=membership.enterprise,
        by=user,
        phone=payload.phone,
        valid_until=payload.valid_until,
    )
    return Status(201, agent_out(agent))


@router.delete(
    "/enterprises/{enterprise_id}/agents/{agent_id}",
    response={204: None, **ERRORS},
    auth=user_auth,
)
def agent_delete(
    request: HttpRequest, enterprise_id: uuid.UUID, agent_id: uuid.UUID
) -> Status[None]:
    user = current_user(request)
    membership = membership_or_404(user, enterprise_id)
    services.enterprise_agent_revoke(enterprise=membership.enterprise, by=user, agent_id=agent_id)
    return Status(204, None)
