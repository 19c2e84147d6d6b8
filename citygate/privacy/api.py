"""The privacy API: staff lookups and reveals with a stated purpose, the resident's own access
log, agreements and consent.

Personal data travels only in request and response bodies, never in a path or query string.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from citygate.accounts.auth import staff_auth, user_auth
from citygate.accounts.models import User, VerificationLevel
from citygate.core.errors import NotFound
from citygate.core.schemas import ErrorOut
from citygate.privacy import selectors, services
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone
from citygate.privacy.models import (
    DETAIL_MAX_LENGTH,
    AccessChannel,
    Agreement,
    AgreementKind,
    ConsentChannel,
)

router = Router(tags=["privacy"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class StrictSchema(Schema):
    # A misspelt field is an error the client should hear about, not silently ignored.
    model_config = ConfigDict(extra="forbid")


# --- Schemas ----------------------------------------------------------------------------------


class PeopleSearchIn(StrictSchema):
    phone: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    purpose: str = Field(max_length=32)
    detail: str = Field(default="", max_length=DETAIL_MAX_LENGTH)


class PersonOut(Schema):
    id: uuid.UUID
    phone: str
    name: str
    id_number: str
    verification_level: int
    verification_label: str


class RevealIn(StrictSchema):
    field: str = Field(max_length=16)
    purpose: str = Field(max_length=32)
    detail: str = Field(default="", max_length=DETAIL_MAX_LENGTH)


class RevealOut(Schema):
    field: str
    value: str


class AccessLogItemOut(Schema):
    id: uuid.UUID
    created_at: datetime
    field: str
    field_label: str
    purpose: str
    purpose_label: str
    department: str
    actor_role: str
    actor_role_label: str
    actor: str


class AccessLogOut(Schema):
    items: list[AccessLogItemOut]
    page: int
    page_size: int
    total: int
    has_next: bool


class AgreementOut(Schema):
    kind: str
    version: int
    title: str
    body: str
    required: bool
    published_at: datetime


class ConsentOut(Schema):
    kind: str
    version: int
    title: str
    required: bool
    granted: bool
    granted_at: datetime | None
    # The version last agreed to, when it is not the current one (or was withdrawn).
    last_version: int | None
    withdrawn_at: datetime | None


class ConsentGrantIn(StrictSchema):
    kinds: list[str] = Field(max_length=len(AgreementKind.values))


# --- Staff ------------------------------------------------------------------------------------


def _person_out(person: User) -> PersonOut:
    level = VerificationLevel(person.verification_level)
    return PersonOut(
        id=person.pk,
        phone=mask_phone(person.phone),
        name=mask_name(person.name),
        id_number=mask_id_number(person.id_number),
        verification_level=level.value,
        verification_label=str(level.label),
    )


@router.post("/staff/people/search", auth=staff_auth, response={200: list[PersonOut], **ERRORS})
def people_search(request: HttpRequest, payload: PeopleSearchIn) -> list[PersonOut]:
    people = services.person_search(
        actor=request.auth,  # type: ignore[attr-defined]
        phone=payload.phone,
        id_number=payload.id_number,
        purpose=payload.purpose,
        detail=payload.detail,
        channel=AccessChannel.API,
    )
    return [_person_out(person) for person in people]


@router.post("/staff/people/{user_id}/reveal", auth=staff_auth, response={200: RevealOut, **ERRORS})
def people_reveal(
    request: HttpRequest, response: HttpResponse, user_id: uuid.UUID, payload: RevealIn
) -> RevealOut:
    subject = User.objects.filter(pk=user_id).first()
    if subject is None:
        raise NotFound()
    value = services.personal_data_reveal(
        actor=request.auth,  # type: ignore[attr-defined]
        subject=subject,
        field=payload.field,
        purpose=payload.purpose,
        detail=payload.detail,
        channel=AccessChannel.API,
    )
    # A clear value must not linger in a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return RevealOut(field=payload.field, value=value)


# --- The resident's own data ------------------------------------------------------------------


@router.get("/me/access-log", auth=user_auth, response={200: AccessLogOut, **ERRORS})
def my_access_log(request: HttpRequest, page: Query[int] = 1) -> AccessLogOut:
    found = selectors.access_log_for_subject(
        subject=request.auth,  # type: ignore[attr-defined]
        page=max(1, min(page, 10_000)),
    )
    return AccessLogOut(
        items=[AccessLogItemOut(**entry.__dict__) for entry in found.entries],
        page=found.number,
        page_size=found.page_size,
        total=found.total,
        has_next=found.has_next,
    )


def _agreement_out(agreement: Agreement) -> AgreementOut:
    return AgreementOut(
        kind=agreement.kind,
        version=agreement.version,
        title=agreement.title,
        body=agreement.body,
        required=agreement.required,
        published_at=agreement.published_at,
    )


@router.get("/agreements", response={200: list[AgreementOut]})
def agreements(request: HttpRequest) -> list[AgreementOut]:
    return [_agreement_out(agreement) for agreement in selectors.agreements_current()]


def _consents_out(user: User) -> list[ConsentOut]:
    out = []
    for status in selectors.consent_overview(user=user):
        latest = status.latest
        out.append(
            ConsentOut(
                kind=status.agreement.kind,
                version=status.agreement.version,
                title=status.agreement.title,
                required=status.agreement.required,
                granted=status.granted,
                granted_at=status.consent.granted_at if status.consent else None,
                last_version=latest.agreement.version if latest else None,
                withdrawn_at=latest.withdrawn_at if latest else None,
            )
        )
    return out


@router.get("/me/consents", auth=user_auth, response={200: list[ConsentOut], **ERRORS})
def my_consents(request: HttpRequest) -> list[ConsentOut]:
    return _consents_out(request.auth)  # type: ignore[attr-defined]


@router.post("/me/consents", auth=user_auth, response={200: list[ConsentOut], **ERRORS})
def my_consents_grant(request: HttpRequest, payload: ConsentGrantIn) -> list[ConsentOut]:
    user = request.auth  # type: ignore[attr-defined]
    services.consent_grant(user=user, kinds=payload.kinds, channel=ConsentChannel.API)
    return _consents_out(user)


@router.delete("/me/consents/{kind}", auth=user_auth, response={204: None, **ERRORS})
def my_consents_withdraw(request: HttpRequest, kind: str) -> Status[None]:
    if kind not in AgreementKind.values:
        raise NotFound()
    services.consent_withdraw(
        user=request.auth,  # type: ignore[attr-defined]
        kind=kind,
        channel=ConsentChannel.API,
    )
    return Status(204, None)
