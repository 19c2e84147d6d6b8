"""Every change to applications: drafts, materials, submission, the workflow's actions, the
promised time limits and their sweep.

Submission is idempotent: an application is unique per applicant and `Idempotency-Key`, and
the same key with the same request returns the first application, even when both requests
arrive at once (the unique constraint decides; the loser reads the winner's row). The same key
with a different request is a conflict.

An action is taken under a row lock on the application, so two clerks acting at once take
turns, and the second finds the state the first left. Each action appends one event, and the
message to the applicant is saved in the same transaction.

Functions that depend on the day take `now` (default: the current time).
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citygate.accounts.models import Enterprise, User
from citygate.accounts.roles import Role
from citygate.applications import notices, selectors
from citygate.applications.files import FileRefused, sniff
from citygate.applications.forms_spec import ItemForm, answers_clean, item_form
from citygate.applications.models import (
    Application,
    ApplicationEvent,
    AssistedSession,
    Channel,
    DailyCounter,
    Draft,
    Material,
    Phase,
    WorkflowSnapshot,
)
from citygate.applications.workflow import (
    Action,
    Actor,
    Clock,
    Input,
    Outcome,
    Procedure,
    procedure_for,
)
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.inbox import templates as inbox_templates
from citygate.inbox.services import notify
from citygate.workdays.selectors import add_working_days, working_days_between, working_days_from

log = get_logger(__name__)

IDEMPOTENCY_KEY_MAX = 80
# At this share of the promised time the clerk and the administrators are warned.
WARN_SHARE = 0.8
# A reopened application (an appeal) can be appealed no further in the app: the next step is
# administrative reconsideration (行政复议), outside it.
MAX_APPEALS = 1
REASON_MAX = 1000
COMMENT_MAX = 1000
MATERIAL_MAX_BYTES = 50 * 2**20
# Deadline checks run at this local time on the day they are due.
DEADLINE_CHECK_TIME = time(8, 0)


def _today(now: datetime) -> date:
    return timezone.localdate(now)


# --- Procedures of applications ---------------------------------------------------------------

_snapshot_procedures: dict[str, Procedure] = {}


def snapshot_procedure(snapshot: WorkflowSnapshot) -> Procedure:
    """The procedure an application follows (the version it started with)."""
    found = _snapshot_procedures.get(snapshot.digest)
    if found is None:
        found = Procedure.model_validate(snapshot.definition)
        _snapshot_procedures[snapshot.digest] = found
    return found


def _snapshot_for(procedure: Procedure) -> WorkflowSnapshot:
    digest = procedure.digest
    found = WorkflowSnapshot.objects.filter(digest=digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return WorkflowSnapshot.objects.create(
                name=procedure.name, digest=digest, definition=procedure.model_dump(mode="json")
            )
    except IntegrityError:
        return WorkflowSnapshot.objects.get(digest=digest)


def applicable_item(code: str) -> ServiceItem:
    """A published item that can be applied for online; NotFound or a clear refusal."""
    item = (
        ServiceItem.objects.filter(code=code, status=ItemStatus.PUBLISHED)
        .select_related("department", "published_revision")
        .first()
    )
    if item is None:
        raise NotFound(_("There is no such service item."))
    if not item.guide.can_apply_online:
        raise ApplicationError(
            "not_online",
            _("This service cannot be applied for online; its guide says where to go."),
            status=409,
        )
    return item


def form_of(item: ServiceItem) -> ItemForm:
    return item_form(procedure_for(item.code), item.guide)


# --- Drafts -----------------------------------------------------------------------------------


def draft_save(*, applicant: User, item_code: str, answers: Mapping[str, Any]) -> Draft:
    """Keeps what the person has filled in so far (required fields may still be empty)."""
    item = applicable_item(item_code)
    cleaned = answers_clean(form_of(item), dict(answers), partial=True)
    draft, _created = Draft.objects.update_or_create(
        applicant=applicant,
        item=item,
        defaults={"answers": json.dumps(cleaned, ensure_ascii=False), "updated_at": timezone.now()},
    )
    return draft


def draft_discard(*, applicant: User, item_code: str) -> None:
    Draft.objects.filter(applicant=applicant, item__code=item_code).delete()


# --- Materials --------------------------------------------------------------------------------


def _refusal_text(reason: str) -> str:
    texts = {
        "empty": _("The file is empty."),
        "type": _("Upload a PDF, JPEG or PNG file."),
        "mismatch": _("The file's name does not match what it contains."),
        "active": _("PDF files with scripts or attachments are not accepted."),
    }
    return texts[reason]


def material_upload(
    *,
    owner: User,
    upload: UploadedFile[bytes],
    item_code: str,
    key: str,
    uploaded_by: User | None = None,
) -> Material:
    """Checks a file against the upload slot it answers and stores it (not yet handed in)."""
    item = applicable_item(item_code)
    slot = form_of(item).upload(key)
    if slot is None:
        raise InvalidInput({"key": _("This form asks for no such material.")})
    return _material_store(
        owner=owner,
        upload=upload,
        key=key,
        uploaded_by=uploaded_by,
        types=slot.types,
        max_mb=slot.max_mb,
    )


def _material_store(
    *,
    owner: User,
    upload: UploadedFile[bytes],
    key: str,
    uploaded_by: User | None,
    types: Sequence[str],
    max_mb: int,
) -> Material:
    size = upload.size or 0
    if size > min(max_mb * 2**20, MATERIAL_MAX_BYTES):
        raise InvalidInput({"file": _("The file is larger than %(mb)d MB.") % {"mb": max_mb}})
    name = str(upload.name or "")[:200]
    stream = upload.file
    if stream is None:
        raise InvalidInput({"file": _refusal_text("empty")})
    try:
        found = sniff(stream, name)
    except FileRefused as refused:
        raise InvalidInput({"file": _refusal_text(refused.reason)}) from None
    if found.kind not in types:
        raise InvalidInput(
            {
                "file": _("This material must be one of: %(types)s.")
                % {"types": ", ".join(t.upper() for t in types)}
            }
        )
    material = Material(
        owner=owner,
        uploaded_by=uploaded_by if uploaded_by != owner else None,
        key=key,
        original_name=name,
        content_type=found.content_type,
        size=found.size,
        sha256=found.sha256,
    )
    # The stored name is the material's id (models.material_path), never the person's.
    material.file.save(str(material.id), upload, save=False)
    material.save()
    log.info(
        "applications.material_uploaded",
        material_id=str(material.id),
        key=key,
        content_type=found.content_type,
        size=found.size,
    )
    return material


def material_delete(*, owner: User, material_id: uuid.UUID) -> None:
    """Removes a material not yet handed in with an application."""
    material = (
        Material.objects.filter(pk=material_id, owner=owner, application=None)
        .exclude(pk__in=AssistedSession.objects.exclude(paper_form=None).values("paper_form"))
        .first()
    )
    if material is None:
        raise NotFound()
    material_discard(material=material)


def material_discard(*, material: Material) -> None:
    """Removes a material's row and, once that is committed, its file."""
    storage_name = str(material.file.name)
    storage = material.file.storage
    material.delete()
    transaction.on_commit(partial(storage.delete, storage_name))


def materials_pending_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Removes materials uploaded but never handed in (an abandoned form), after a week."""
    cutoff = timezone.now() - older_than
    stale = Material.objects.filter(application=None, uploaded_at__lt=cutoff).exclude(
        pk__in=AssistedSession.objects.exclude(paper_form=None).values("paper_form")
    )
    count = 0
    for material in stale.iterator():
        with transaction.atomic():
            material_discard(material=material)
        count += 1
    if count:
        log.info("applications.materials_purged", count=count)
    return count


SUPPLEMENT_KEY = "supplement"


def supplement_material_upload(
    *,
    owner: User,
    upload: UploadedFile[bytes],
    application_id: uuid.UUID,
    uploaded_by: User | None = None,
) -> Material:
    """A file answering a request for more materials (补正), kept until handed in with the
    "supplement" action. Only while the owner's application waits for it."""
    application = (
        Application.objects.select_related("workflow")
        .filter(pk=application_id, applicant=owner, phase=Phase.PAUSED)
        .first()
    )
    if application is None:
        raise NotFound()
    procedure = snapshot_procedure(application.workflow)
    if procedure.workflow.action(application.state, SUPPLEMENT_KEY) is None:
        raise _not_now()
    return _material_store(
        owner=owner,
        upload=upload,
        key=SUPPLEMENT_KEY,
        uploaded_by=uploaded_by,
        types=("pdf", "jpeg", "png"),
        max_mb=10,
    )


# The upload key of the signed paper confirmation of an assisted application.
PAPER_KEY = "paper_confirmation"


def paper_form_store(*, resident: User, clerk: User, upload: UploadedFile[bytes]) -> Material:
    """The scan of a signed paper confirmation (帮办代办 for someone without a phone)."""
    return _material_store(
        owner=resident,
        upload=upload,
        key=PAPER_KEY,
        uploaded_by=clerk,
        types=("pdf", "jpeg", "png"),
        max_mb=10,
    )


# --- Submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    application: Application
    # False when the same Idempotency-Key and request came again: nothing new was made.
    created: bool


def _clean_idempotency_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            {"idempotency_key": _("Send an Idempotency-Key of 1 to 80 printable characters.")}
        )
    return key


def _request_digest(
    item_code: str,
    answers: Any,
    material_ids: Iterable[uuid.UUID],
    enterprise_id: uuid.UUID | None = None,
) -> str:
    text = json.dumps(
        {
            "item": item_code,
            "answers": answers,
            "materials": sorted(str(m) for m in material_ids),
            "enterprise": str(enterprise_id or ""),
        },
        sort_keys=True,
        # Escaped: a lone surrogate in an answer (valid JSON, no character) must reach the
        # answers' own check and its message, not fail here.
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(applicant: User, key: str, digest: str) -> Application | None:
    found = Application.objects.filter(applicant=applicant, idempotency_key=key).first()
    if found is not None and found.request_digest != digest:
        raise ApplicationError(
            "idempotency_conflict",
            _("This Idempotency-Key was already used for a different application."),
            status=409,
        )
    return found


def _next_number(day: date) -> str:
    """SQ + YYYYMMDD + the day's sequence, raised in the caller's transaction (no gaps)."""
    if not DailyCounter.objects.filter(day=day).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, last=1)
        except IntegrityError:
            DailyCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = DailyCounter.objects.values_list("last", flat=True).get(day=day)
    return f"SQ{day:%Y%m%d}{last:06d}"


def promised_limit_days(procedure: Procedure, item: ServiceItem) -> int:
    """The working days promised for the item's applications: the procedure's own, or the
    promised limit of the item's guide."""
    if procedure.promised_limit_days is not None:
        return procedure.promised_limit_days
    return int(item.guide.promised_limit_days)


def _deadlines(
    start: date, limit: int, paused: int, step_limit: int | None = None
) -> tuple[date, date, date | None]:
    """The due day and the warning day of a promise of `limit` working days from `start`
    (moved later by `paused` days), and the day a step of `step_limit` days from `start` ends:
    all from one read of the calendar."""
    longest = max(limit + paused, step_limit or 0)
    days = [start, *working_days_from(start + timedelta(days=1), longest)] if longest else [start]
    due = days[limit + paused]
    warn = days[math.ceil(limit * WARN_SHARE) + paused]
    step = days[step_limit] if step_limit is not None else None
    return due, warn, step


def _step_limit(procedure: Procedure, state: str) -> int | None:
    return procedure.workflow.state(state).limit_days


def _step_due(procedure: Procedure, state: str, today: date) -> date | None:
    limit = _step_limit(procedure, state)
    return None if limit is None else add_working_days(today, limit)


@dataclass
class OnBehalf:
    """Who submits when it is not the applicant, checked before submission."""

    channel: str = Channel.ONLINE
    submitted_by: User | None = None
    centre_id: int | None = None
    confirmation: str = ""
    centre_name: str = ""
    session_id: uuid.UUID | None = None


def _prefilled(
    procedure: Procedure, applicant: User, enterprise: Enterprise | None = None
) -> dict[str, str]:
    """What the verified account says, kept with the answers as submitted."""
    known = {"name": applicant.name, "id_number": applicant.id_number, "phone": applicant.phone}
    found: dict[str, str] = {
        key.value: str(known[key.value]) for key in procedure.form.prefill if known.get(key.value)
    }
    if enterprise is not None:
        found["enterprise"] = enterprise.name
        found["credit_code"] = enterprise.credit_code
    return found


def _enterprise_for(
    applicant: User, item: ServiceItem, enterprise_id: uuid.UUID | None
) -> Enterprise | None:
    """The enterprise applied for, which the applicant must represent or be an agent of."""
    from citygate.accounts.selectors import enterprise_for_user
    from citygate.catalog.content import Audience

    audience = set(item.guide.audience)
    if enterprise_id is None:
        if audience == {Audience.ENTERPRISE}:
            raise InvalidInput({"enterprise": _("Choose the enterprise you apply for.")})
        return None
    if Audience.ENTERPRISE not in audience:
        raise InvalidInput({"enterprise": _("This service is for people, not enterprises.")})
    membership = enterprise_for_user(user=applicant, enterprise_id=enterprise_id)
    if membership is None:
        raise InvalidInput({"enterprise": _("You do not act for this enterprise.")})
    return membership.enterprise


def _materials_for(
    applicant: User, form: ItemForm, material_ids: Sequence[uuid.UUID]
) -> list[Material]:
    ids = list(dict.fromkeys(material_ids))
    found = list(Material.objects.filter(pk__in=ids, owner=applicant, application=None))
    if len(found) != len(ids):
        raise InvalidInput(
            {"material_ids": _("A material is unknown, or already handed in with an application.")}
        )
    errors: dict[str, str] = {}
    by_key: dict[str, int] = {}
    for material in found:
        by_key[material.key] = by_key.get(material.key, 0) + 1
        if form.upload(material.key) is None:
            errors["material_ids"] = _("A material belongs to another form.")
    for upload in form.uploads:
        count = by_key.get(upload.key, 0)
        if upload.required and count == 0:
            errors[f"materials.{upload.key}"] = _("Upload this material.")
        elif count > upload.max_files:
            errors[f"materials.{upload.key}"] = _("Upload at most %(count)d files here.") % {
                "count": upload.max_files
            }
    if errors:
        raise InvalidInput(errors)
    return found


def application_submit(
    *,
    applicant: User,
    item_code: str,
    answers: Mapping[str, Any],
    material_ids: Sequence[uuid.UUID],
    idempotency_key: str,
    on_behalf: OnBehalf | None = None,
    enterprise_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Submission:
    """Makes the application and its receipt; the same key and request again return it.

    `enterprise_id`: the enterprise the applicant applies for, as its legal representative or
    standing agent (required for items that serve enterprises only).
    """
    now = now or timezone.now()
    on_behalf = on_behalf or OnBehalf()
    key = _clean_idempotency_key(idempotency_key)
    digest = _request_digest(
        item_code,
        dict(answers) if isinstance(answers, Mapping) else answers,
        material_ids,
        enterprise_id,
    )
    replayed = _replay(applicant, key, digest)
    if replayed is not None:
        return Submission(application=replayed, created=False)

    item = applicable_item(item_code)
    procedure = procedure_for(item.code)
    form = item_form(procedure, item.guide)
    if procedure.form.real_name and not applicant.is_real_name_verified:
        raise ApplicationError(
            "real_name_required",
            _("Verify your real name in your account before applying for this service."),
            status=403,
        )
    # Every wrong answer, enterprise and material is said at once, not one kind per try.
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    enterprise: Enterprise | None = None
    materials: list[Material] = []
    try:
        cleaned = answers_clean(form, answers)
    except InvalidInput as error:
        errors.update(error.fields)
    try:
        enterprise = _enterprise_for(applicant, item, enterprise_id)
    except InvalidInput as error:
        errors.update(error.fields)
    try:
        materials = _materials_for(applicant, form, material_ids)
    except InvalidInput as error:
        # The same request, a moment earlier, may have just handed these materials in.
        replayed = _replay(applicant, key, digest)
        if replayed is not None:
            return Submission(application=replayed, created=False)
        errors.update(error.fields)
    if errors:
        raise InvalidInput(errors)
    workflow = procedure.workflow
    start = workflow.state(workflow.start)
    today = _today(now)
    limit = promised_limit_days(procedure, item)
    due, warn, step_due = _deadlines(today, limit, 0, _step_limit(procedure, workflow.start))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                number=_next_number(today),
                item=item,
                department=item.department,
                applicant=applicant,
                workflow=_snapshot_for(procedure),
                state=workflow.start,
                stage=start.stage,
                phase=Phase.RUNNING,
                answers=json.dumps(
                    {"fields": cleaned, "verified": _prefilled(procedure, applicant, enterprise)},
                    ensure_ascii=False,
                ),
                enterprise=enterprise,
                channel=on_behalf.channel,
                submitted_by=on_behalf.submitted_by,
                centre_id=on_behalf.centre_id,
                confirmation=on_behalf.confirmation,
                assisted_session_id=on_behalf.session_id,
                idempotency_key=key,
                request_digest=digest,
                submitted_at=now,
                clock_started_on=today,
                limit_days=limit,
                due_on=due,
                warn_on=warn,
                step_due_on=step_due,
                state_entered_at=now,
                updated_at=now,
            )
            handed = Material.objects.filter(
                pk__in=[m.pk for m in materials], application=None
            ).update(application=application)
            if handed != len(materials):
                # Handed in with another application a moment ago.
                raise InvalidInput(
                    {"material_ids": _("A material is already handed in with an application.")}
                )
            event = _event_append(
                application,
                action="submit",
                from_state="",
                actor=on_behalf.submitted_by or applicant,
                actor_role=_submitter_role(on_behalf),
                details={},
                now=now,
                first=True,
            )
            Draft.objects.filter(applicant=applicant, item=item).delete()
            _notify_submitted(application, on_behalf)
    except (IntegrityError, InvalidInput):
        # Lost a race to the same request: the unique key, or the materials it took first.
        replayed = _replay(applicant, key, digest)
        if replayed is None:
            raise
        return Submission(application=replayed, created=False)
    transaction.on_commit(partial(_deadline_checks_enqueue, application.pk, warn, due, now))
    log.info(
        "applications.submitted",
        application_id=str(application.pk),
        item=item.code,
        channel=application.channel,
        event_id=event.pk,
    )
    return Submission(application=application, created=True)


def _submitter_role(on_behalf: OnBehalf) -> str:
    roles: dict[str, str] = {Channel.FAMILY: "family", Channel.ASSISTED: "centre"}
    return roles.get(str(on_behalf.channel), "applicant")


def _notice_params(
    application: Application, recipient: User, template: str, **extra: str | int
) -> dict[str, str | int]:
    """What a message about the application says, for this template and this reader.

    Written in the recipient's language at the time of sending (the item's name is data, not
    a translation), and only the values the template has blanks for.
    """
    blanks = inbox_templates.get(template).blanks()
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        params = {
            "item": application.item.display_name,
            "number": application.number,
            "due": application.due_on.isoformat(),
            **extra,
        }
    return {k: v for k, v in params.items() if k in blanks}


def _application_link(application: Application) -> str:
    return reverse("applications:detail", args=[application.pk])


def _notify_applicant(
    application: Application, template: str, key: str, **extra: str | int
) -> None:
    notify(
        recipient=application.applicant,
        template=template,
        params=_notice_params(application, application.applicant, template, **extra),
        link=_application_link(application),
        dedupe_key=f"applications.{key}:{application.pk}",
    )


def _notify_submitted(application: Application, on_behalf: OnBehalf) -> None:
    if on_behalf.channel == Channel.ASSISTED:
        _notify_applicant(
            application, notices.SUBMITTED_FOR_YOU, "submitted", centre=on_behalf.centre_name
        )
    elif on_behalf.channel == Channel.FAMILY:
        _notify_applicant(application, notices.SUBMITTED_BY_FAMILY, "submitted")
    else:
        _notify_applicant(application, notices.SUBMITTED, "submitted")


def _event_append(
    application: Application,
    *,
    action: str,
    from_state: str,
    actor: User | None,
    actor_role: str,
    details: Mapping[str, Any],
    now: datetime,
    first: bool = False,
) -> ApplicationEvent:
    last = 0 if first else application.events.aggregate(last=Max("seq"))["last"] or 0
    return ApplicationEvent.objects.create(
        application=application,
        seq=last + 1,
        action=action,
        from_state=from_state,
        to_state=application.state,
        actor=actor,
        actor_role=actor_role,
        details=json.dumps(dict(details), ensure_ascii=False) if details else "",
        due_on=application.due_on if application.phase == Phase.RUNNING else None,
        created_at=now,
    )


# --- Actions ----------------------------------------------------------------------------------


@dataclass
class ActionInput:
    """What the one taking an action gives with it; the action says which are required."""

    reason: str = ""
    legal_basis: str = ""
    result: str = ""
    amount: str = ""
    # The materials asked for (补正): a list of short descriptions.
    materials: list[str] = field(default_factory=list)
    comment: str = ""
    # Files handed in with the action (an answer to 补正).
    material_ids: list[uuid.UUID] = field(default_factory=list)


def _clean_inputs(action: Action, given: ActionInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    texts = {
        Input.REASON: given.reason,
        Input.LEGAL_BASIS: given.legal_basis,
        Input.RESULT: given.result,
    }
    for name, value in texts.items():
        value = (value or "").strip()
        if len(value) > REASON_MAX:
            errors[name.value] = _("Write at most %(count)d characters.") % {"count": REASON_MAX}
        elif value:
            cleaned[name.value] = value
        elif name in action.requires:
            errors[name.value] = _("This field is required.")
    if Input.AMOUNT in action.requires or given.amount:
        try:
            amount = Decimal(str(given.amount).strip())
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount <= 0 or amount > 1_000_000:
            errors["amount"] = _("Enter an amount in yuan, more than zero.")
        else:
            cleaned["amount"] = str(amount.quantize(Decimal("0.01")))
    asked = [m.strip() for m in given.materials if m and m.strip()]
    if any(len(m) > 200 for m in asked) or len(asked) > 20:
        errors["materials"] = _("List at most 20 materials of up to 200 characters each.")
    elif asked:
        cleaned["materials"] = asked
    elif Input.MATERIALS in action.requires:
        errors["materials"] = _("Say which materials are needed.")
    comment = (given.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Write at most %(count)d characters.") % {"count": COMMENT_MAX}
    elif comment:
        cleaned["comment"] = comment
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _actor_roles(actor: User, application: Application, now: datetime) -> tuple[set[Actor], str]:
    """The workflow roles the person holds on this application, and the role to record."""
    roles: set[Actor] = set()
    recorded = ""
    if actor.pk == application.applicant_id:
        roles.add(Actor.APPLICANT)
        recorded = "applicant"
    elif selectors.authorisation_active(
        grantor_id=application.applicant_id,
        grantee=actor,
        item_id=application.item_id,
        today=_today(now),
    ):
        roles.add(Actor.APPLICANT)
        recorded = "family"
    if roles or actor.pk == application.submitted_by_id:
        # Nobody handles as staff an application of their own, one they act in for family, or
        # one they made for a resident at a service centre.
        return roles, recorded
    for role in actor.staff_roles.all():
        if role.department_id != application.department_id:
            continue
        if role.role == Role.CLERK:
            roles.add(Actor.CLERK)
            recorded = recorded or "clerk"
        elif role.role == Role.DEPARTMENT_ADMIN:
            roles.add(Actor.DEPARTMENT_ADMIN)
            recorded = "department_admin" if recorded in ("", "clerk") else recorded
    return roles, recorded


def _not_now() -> ApplicationError:
    return ApplicationError(
        "action_not_available",
        _("This cannot be done at the application's present step. Reload to see where it is."),
        status=409,
    )


def entered_by(application: Application) -> uuid.UUID | None:
    """Who brought the application into its present state (claims, assignments and the
    sweep's escalations move nothing, so they do not count)."""
    return (
        application.events.filter(to_state=application.state)
        .exclude(from_state=application.state)
        .order_by("-seq")
        .values_list("actor_id", flat=True)
        .first()
    )


def application_act(
    *,
    actor: User,
    application_id: uuid.UUID,
    action: str,
    given: ActionInput | None = None,
    now: datetime | None = None,
) -> Application:
    """Takes one of the workflow's actions, if the state offers it and the person may."""
    now = now or timezone.now()
    given = given or ActionInput()
    today = _today(now)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("item", "workflow", "applicant", "department")
            .filter(pk=application_id)
            .first()
        )
        roles, recorded = _actor_roles(actor, application, now) if application else (set(), "")
        if application is None or not roles:
            # Another department's application, or another person's: as if it did not exist.
            raise NotFound()
        procedure = snapshot_procedure(application.workflow)
        step = procedure.workflow.action(application.state, action)
        if step is None:
            raise _not_now()
        if not roles.intersection(step.roles):
            raise PermissionDenied(_("Your role cannot take this step."))
        if step.within_days is not None and (
            timezone.localdate(application.state_entered_at) + timedelta(days=step.within_days)
            < today
        ):
            raise ApplicationError(
                "window_closed", _("The time to do this has passed."), status=409
            )
        if step.four_eyes and entered_by(application) == actor.pk:
            raise ApplicationError(
                "second_person_needed",
                _("Someone other than the person who passed it on must decide this step."),
                status=409,
            )
        details = _clean_inputs(step, given)
        before = procedure.workflow.state(application.state)
        target = procedure.workflow.state(step.to)
        reopening = before.clock == Clock.STOPPED and target.clock != Clock.STOPPED
        if reopening and application.appeals >= MAX_APPEALS:
            raise ApplicationError(
                "appeal_used",
                _(
                    "This application was already reviewed again after an appeal. You may "
                    "apply for administrative reconsideration (行政复议) instead."
                ),
                status=409,
            )
        handed = _hand_in(application, actor, given.material_ids) if given.material_ids else []
        answering = before.clock == Clock.PAUSED and target.clock == Clock.RUNNING
        if answering and Actor.APPLICANT in step.roles and not (handed or details):
            raise InvalidInput({"comment": _("Hand in the materials asked for, or say why not.")})
        if handed:
            details["material_ids"] = [str(m.pk) for m in handed]
        from_state = application.state
        _move(application, procedure, step, before.clock, target.clock, today, now, reopening)
        application.save()
        event = _event_append(
            application,
            action=step.name,
            from_state=from_state,
            actor=actor,
            actor_role=recorded,
            details=details,
            now=now,
        )
        if handed:
            Material.objects.filter(pk__in=[m.pk for m in handed]).update(event=event)
        _notify_action(application, step, before.clock, target.clock, details, event)
    if application.phase == Phase.RUNNING and before.clock != Clock.RUNNING:
        transaction.on_commit(
            partial(
                _deadline_checks_enqueue,
                application.pk,
                application.warn_on,
                application.due_on,
                now,
            )
        )
    log.info(
        "applications.action_taken",
        application_id=str(application.pk),
        action=step.name,
        to_state=application.state,
        actor_id=str(actor.pk),
        actor_role=recorded,
    )
    return application


def _hand_in(application: Application, actor: User, ids: Sequence[uuid.UUID]) -> list[Material]:
    ids = list(dict.fromkeys(ids))
    found = list(
        Material.objects.filter(pk__in=ids, owner_id=application.applicant_id, application=None)
    )
    if len(found) != len(ids):
        raise InvalidInput(
            {"material_ids": _("A material is unknown, or already handed in with an application.")}
        )
    Material.objects.filter(pk__in=ids).update(application=application)
    return found


def _move(
    application: Application,
    procedure: Procedure,
    step: Action,
    before: Clock,
    after: Clock,
    today: date,
    now: datetime,
    reopening: bool,
) -> None:
    """The state, and the clock: pausing, restarting, closing, reopening."""
    target = procedure.workflow.state(step.to)
    if before == Clock.PAUSED and after != Clock.PAUSED and application.paused_since:
        application.paused_days += working_days_between(application.paused_since, today)
        application.paused_since = None
    if after == Clock.PAUSED and before != Clock.PAUSED:
        application.paused_since = today
    if reopening:
        application.appeals += 1
        application.clock_started_on = today
        application.paused_days = 0
        application.outcome = ""
        application.closed_at = None
        application.handling_days = None
        # A first handling that was late stays counted late: the appeal gives a new promise,
        # not a clean record.
        application.warned_at = None
        application.escalated_at = None
    application.due_on, application.warn_on, _ = _deadlines(
        application.clock_started_on, application.limit_days, application.paused_days
    )
    application.state = step.to
    application.stage = target.stage
    application.phase = {
        Clock.RUNNING: Phase.RUNNING,
        Clock.PAUSED: Phase.PAUSED,
        Clock.STOPPED: Phase.STOPPED,
    }[after]
    application.state_entered_at = now
    application.step_due_on = (
        _step_due(procedure, step.to, today) if after == Clock.RUNNING else None
    )
    application.step_warned_at = None
    application.updated_at = now
    if after == Clock.STOPPED:
        assert target.outcome is not None  # noqa: S101 - the workflow's own rule
        application.outcome = target.outcome.value
        application.closed_at = now
        application.handling_days = max(
            0,
            working_days_between(application.clock_started_on, today) - application.paused_days,
        )
        application.late = application.late or today > application.due_on


def _notify_action(
    application: Application,
    step: Action,
    before: Clock,
    after: Clock,
    details: Mapping[str, Any],
    event: ApplicationEvent,
) -> None:
    key = f"{event.seq}"
    if before == Clock.STOPPED and after != Clock.STOPPED:
        _notify_applicant(application, notices.REOPENED, f"reopened:{key}")
    elif after == Clock.STOPPED:
        if application.outcome == Outcome.APPROVED:
            _notify_applicant(application, notices.COMPLETED, f"completed:{key}")
        elif application.outcome == Outcome.WITHDRAWN:
            _notify_applicant(application, notices.WITHDRAWN, f"withdrawn:{key}")
        else:
            until = timezone.localdate(application.state_entered_at) + timedelta(
                days=_appeal_window(application)
            )
            _notify_applicant(
                application, notices.REFUSED, f"refused:{key}", until=until.isoformat()
            )
    elif "amount" in details:
        _notify_applicant(
            application, notices.FEE_REQUESTED, f"fee:{key}", amount=str(details["amount"])
        )
    elif after == Clock.PAUSED and before != Clock.PAUSED:
        _notify_applicant(application, notices.SUPPLEMENT_REQUESTED, f"supplement:{key}")
    elif Actor.APPLICANT not in step.roles or before == Clock.PAUSED:
        _notify_applicant(application, notices.ACCEPTED, f"progressed:{key}")


def _appeal_window(application: Application) -> int:
    procedure = snapshot_procedure(application.workflow)
    appeal = next(
        (a for a in procedure.workflow.state(application.state).actions if a.within_days), None
    )
    return appeal.within_days if appeal and appeal.within_days else 0


# --- Claiming and assigning ---------------------------------------------------------------------


def application_assign(
    *, actor: User, application_id: uuid.UUID, assignee_id: uuid.UUID | None = None
) -> Application:
    """Takes an application (no assignee given) or, for administrators, gives it to a clerk."""
    with transaction.atomic():
        application = (
            selectors.staff_applications(user=actor)
            .select_for_update(of=("self",))
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise NotFound()
        if application.phase == Phase.STOPPED:
            raise _not_now()
        target = actor
        if assignee_id is not None and assignee_id != actor.pk:
            if application.department_id not in selectors.admin_department_ids(user=actor):
                raise PermissionDenied(_("Only the department's administrators assign work."))
            found = (
                selectors.department_clerks(department_id=application.department_id)
                .filter(pk=assignee_id)
                .first()
            )
            if found is None:
                raise InvalidInput({"assignee": _("Choose a clerk of this department.")})
            target = found
        application.assignee = target
        application.updated_at = timezone.now()
        application.save(update_fields=["assignee", "updated_at"])
        _event_append(
            application,
            action="assign" if target != actor else "claim",
            from_state=application.state,
            actor=actor,
            actor_role="department_admin" if target != actor else "clerk",
            details={},
            now=application.updated_at,
        )
    log.info(
        "applications.assigned",
        application_id=str(application.pk),
        assignee_id=str(target.pk),
        actor_id=str(actor.pk),
    )
    return application


# --- Deadlines --------------------------------------------------------------------------------


def _deadline_checks_enqueue(
    application_id: uuid.UUID, warn_on: date, due_on: date, now: datetime
) -> None:
    from citygate.applications.tasks import application_deadline_check

    task = application_deadline_check
    if not task.get_backend().supports_defer:
        return
    tz = timezone.get_default_timezone()
    for day in (warn_on, due_on + timedelta(days=1)):
        run_at = datetime.combine(day, DEADLINE_CHECK_TIME, tzinfo=tz)
        if run_at > now:
            task.using(run_after=run_at).enqueue(application_id=str(application_id))


@dataclass(frozen=True)
class SweepReport:
    warned: int
    escalated: int
    # Steps past their own limit, reported to their handlers.
    steps: int = 0


def applications_deadlines_sweep(
    *, now: datetime | None = None, application_id: uuid.UUID | None = None
) -> SweepReport:
    """Warns at 80% of the promised time and escalates at the limit; each happens once.

    Run by the deferred task of each application, by `manage.py applications_sweep` from
    cron, and when a clerk opens the workbench. Only running applications count: the clock
    of one waiting for its applicant is stopped.
    """
    now = now or timezone.now()
    today = _today(now)
    running = Application.objects.filter(phase=Phase.RUNNING)
    if application_id is not None:
        running = running.filter(pk=application_id)
    warned = escalated = steps = 0
    for found_id in running.filter(warned_at=None, warn_on__lte=today).values_list("pk", flat=True):
        warned += _warn(found_id, today, now)
    for found_id in running.filter(escalated_at=None, due_on__lt=today).values_list(
        "pk", flat=True
    ):
        escalated += _escalate(found_id, today, now)
    for found_id in running.filter(step_warned_at=None, step_due_on__lt=today).values_list(
        "pk", flat=True
    ):
        steps += _step_overdue(found_id, today, now)
    if warned or escalated or steps:
        log.info("applications.deadlines_swept", warned=warned, escalated=escalated, steps=steps)
    return SweepReport(warned=warned, escalated=escalated, steps=steps)


def _locked_running(application_id: uuid.UUID) -> Application | None:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "assignee")
        .filter(pk=application_id, phase=Phase.RUNNING)
        .first()
    )


def _tell_staff(application: Application, users: Iterable[User], template: str, key: str) -> None:
    for user in users:
        notify(
            recipient=user,
            template=template,
            params=_notice_params(application, user, template),
            link=reverse("applications:staff_detail", args=[application.pk]),
            dedupe_key=f"applications.{key}:{application.pk}:{application.due_on}",
        )


def _warn(application_id: uuid.UUID, today: date, now: datetime) -> int:
    with transaction.atomic():
        application = _locked_running(application_id)
        if application is None or application.warned_at or application.warn_on > today:
            return 0
        application.warned_at = now
        application.save(update_fields=["warned_at"])
        admins = list(selectors.department_admins(department_id=application.department_id))
        clerks = _handlers(application)
        _tell_staff(
            application,
            {u.pk: u for u in [*clerks, *admins]}.values(),
            notices.DEADLINE_NEAR,
            "warned",
        )
    return 1


def _handlers(application: Application) -> list[User]:
    """Who is working on it: its assignee, or else every clerk of its department."""
    if application.assignee is not None:
        return [application.assignee]
    return list(selectors.department_clerks(department_id=application.department_id))


def _step_overdue(application_id: uuid.UUID, today: date, now: datetime) -> int:
    """A step past its own limit (受理 in 2 days...): its handlers hear of it, once a step."""
    with transaction.atomic():
        application = _locked_running(application_id)
        if (
            application is None
            or application.step_warned_at
            or application.step_due_on is None
            or application.step_due_on >= today
        ):
            return 0
        application.step_warned_at = now
        application.save(update_fields=["step_warned_at"])
        _tell_staff(
            application,
            _handlers(application),
            notices.STEP_OVERDUE,
            f"step:{application.state}:{application.step_due_on}",
        )
    return 1


def _escalate(application_id: uuid.UUID, today: date, now: datetime) -> int:
    with transaction.atomic():
        application = _locked_running(application_id)
        if application is None or application.escalated_at or application.due_on >= today:
            return 0
        application.escalated_at = now
        application.late = True
        application.save(update_fields=["escalated_at", "late"])
        _event_append(
            application,
            action="escalate",
            from_state=application.state,
            actor=None,
            actor_role="system",
            details={},
            now=now,
        )
        admins = list(selectors.department_admins(department_id=application.department_id))
        _tell_staff(application, admins, notices.DEADLINE_PASSED, "escalated")
    return 1


# --- Revealing answers to staff -----------------------------------------------------------------


def application_answers_reveal(
    *, actor: User, application_id: uuid.UUID, purpose: str, detail: str, channel: str
) -> dict[str, Any]:
    """The clear answers of an application, for a clerk of its department, recorded with the
    purpose in the access chain the applicant can read."""
    from citygate.privacy.models import PersonalField, Purpose
    from citygate.privacy.services import access_record_append

    application = selectors.staff_application_get(user=actor, application_id=application_id)
    if purpose not in Purpose.values:
        raise InvalidInput({"purpose": _("Choose one of the listed purposes.")})
    role = next(
        (r for r in actor.staff_roles.all() if r.department_id == application.department_id),
        None,
    )
    assert role is not None  # noqa: S101 - staff_application_get scoped it
    detail = (detail or "").strip()[:200]
    access_record_append(
        subject=application.applicant,
        actor=actor,
        actor_role=role.role,
        actor_department=application.department,
        field=PersonalField.APPLICATION,
        purpose=purpose,
        detail=detail or application.number,
        channel=channel,
    )
    log.info(
        "applications.answers_revealed",
        application_id=str(application.pk),
        actor_id=str(actor.pk),
        purpose=purpose,
    )
    stored: dict[str, Any] = json.loads(application.answers or "{}")
    return stored


def material_open(
    *, user: User, material_id: uuid.UUID, staff_verified: bool, channel: str = "web"
) -> Material:
    """A material for someone allowed to see it (selectors.material_visible); staff's
    openings are recorded as accesses to the owner's data (the owner's own are not)."""
    from citygate.privacy.models import PersonalField, Purpose
    from citygate.privacy.services import access_record_append

    material = selectors.material_visible(
        user=user, material_id=material_id, staff_verified=staff_verified
    )
    if user.pk == material.owner_id or not user.is_staff_member:
        return material
    application = material.application
    role = next(
        (
            r
            for r in user.staff_roles.all()
            if application is None or r.department_id == application.department_id
        ),
        None,
    )
    access_record_append(
        subject=material.owner,
        actor=user,
        actor_role=role.role if role else "clerk",
        actor_department=application.department if application else None,
        field=PersonalField.APPLICATION,
        purpose=Purpose.HANDLE_APPLICATION if application else Purpose.SERVICE_HALL_ASSIST,
        detail=f"{application.number if application else ''} {material.key}".strip(),
        channel=channel,
    )
    log.info("applications.material_opened", material_id=str(material.pk), actor_id=str(user.pk))
    return material
