"""The applications API: forms, materials, drafts and applications for the signed-in person;
the workbench for staff; ratings; the public figures of each department.

`POST /applications` takes an `Idempotency-Key` header: the first request answers 201, a
repeat of the same request 200 with the same application, a different request under the same
key 409 `idempotency_conflict`.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, StrictInt

from citygate.accounts.auth import staff_auth, staff_session_valid, user_auth
from citygate.accounts.models import User
from citygate.applications import assisted, presenting, ratings, selectors, services
from citygate.applications.forms_spec import help_text, label
from citygate.applications.models import Application, Material, Phase
from citygate.applications.presenting import ApplicationView, staff_roles_on
from citygate.applications.workflow import Actor
from citygate.core.errors import InvalidInput
from citygate.core.schemas import ErrorOut
from citygate.privacy.masking import mask_name

router = Router(tags=["applications"])

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
PAGE_SIZE = 20


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - the auth classes give a User
    # Every check of roles on this request reads the same rows.
    prefetch_related_objects([user], "staff_roles")
    return user


# --- Forms ----------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    type: str
    label: str
    help: str
    required: bool
    max_length: int
    minimum: float | None
    maximum: float | None
    choices: list[ChoiceOut]


class UploadOut(Schema):
    key: str
    name: str
    required: bool
    types: list[str]
    max_mb: int
    max_files: int


class FormOut(Schema):
    item: str
    item_name: str
    procedure: str
    promised_limit_days: int
    real_name_required: bool
    prefill: list[str]
    fields: list[FieldOut]
    uploads: list[UploadOut]


@router.get("/applications/forms/{code}", response={200: FormOut, **ERRORS}, url_name="form")
def application_form(request: HttpRequest, code: str) -> FormOut:
    """The form of an item's application: fields, uploads, and what the account fills in."""
    item = services.applicable_item(code)
    form = services.form_of(item)
    procedure = form.procedure
    return FormOut(
        item=item.code,
        item_name=item.display_name,
        procedure=label(procedure),
        promised_limit_days=services.promised_limit_days(procedure, item),
        real_name_required=procedure.form.real_name,
        prefill=[p.value for p in procedure.form.prefill],
        fields=[
            FieldOut(
                name=f.name,
                type=f.type.value,
                label=label(f),
                help=help_text(f),
                required=f.required,
                max_length=f.max_length,
                minimum=f.minimum,
                maximum=f.maximum,
                choices=[ChoiceOut(value=c.value, label=label(c)) for c in f.choices],
            )
            for f in form.fields
        ],
        uploads=[
            UploadOut(
                key=u.key,
                name=label(u),
                required=u.required,
                types=list(u.types),
                max_mb=u.max_mb,
                max_files=u.max_files,
            )
            for u in form.uploads
        ],
    )


# --- Materials --------------------------------------------------------------------------------


class MaterialOut(Schema):
    id: uuid.UUID
    key: str
    content_type: str
    size: int


def _material_out(material: Material) -> MaterialOut:
    return MaterialOut(
        id=material.id, key=material.key, content_type=material.content_type, size=material.size
    )


@router.post(
    "/applications/materials",
    auth=user_auth,
    response={201: MaterialOut, **ERRORS},
    url_name="material_upload",
)
def material_upload(
    request: HttpRequest,
    item: Form[str],
    key: Form[str],
    file: File[UploadedFile],
    on_behalf_of: Form[uuid.UUID | None] = None,
) -> Status[MaterialOut]:
    """Uploads one material for an item's form; hand it in with `material_ids` on submission.

    `on_behalf_of`: the person who authorised you to apply for them (a family member's
    upload belongs to that person's application).
    """
    user = _user(request)
    owner = user
    if on_behalf_of is not None:
        found = services.applicable_item(item)
        if not selectors.authorisation_active(
            grantor_id=on_behalf_of, grantee=user, item_id=found.pk, today=timezone.localdate()
        ):
            raise InvalidInput({"on_behalf_of": _("You are not authorised for this person.")})
        owner = User.objects.get(pk=on_behalf_of)
    material = services.material_upload(
        owner=owner, upload=file, item_code=item, key=key, uploaded_by=user
    )
    return Status(201, _material_out(material))


@router.delete(
    "/applications/materials/{material_id}",
    auth=user_auth,
    response={204: None, **ERRORS},
    url_name="material_delete",
)
def material_delete(request: HttpRequest, material_id: uuid.UUID) -> Status[None]:
    services.material_delete(owner=_user(request), material_id=material_id)
    return Status(204, None)


@router.get(
    "/applications/materials/{material_id}",
    auth=[*user_auth, *staff_auth],
    response={200: None, **ERRORS},
    url_name="material_file",
)
def material_file(request: HttpRequest, material_id: uuid.UUID) -> FileResponse:
    """The file itself, to its owner and to the clerks of the department handling it."""
    material = services.material_open(
        user=_user(request),
        material_id=material_id,
        staff_verified=staff_session_valid(request),
        channel="api",
    )
    return material_response(material)


def material_response(material: Material) -> FileResponse:
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        as_attachment=True,
        # Named by id: the name the person gave may say who they are.
        filename=f"{material.id}.{extension.get(material.content_type, 'bin')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Drafts -----------------------------------------------------------------------------------


class DraftIn(StrictSchema):
    answers: dict[str, Any]


class DraftOut(Schema):
    item: str
    answers: dict[str, Any]
    updated_at: Any


@router.put(
    "/applications/drafts/{code}",
    auth=user_auth,
    response={200: DraftOut, **ERRORS},
    url_name="draft_save",
)
def draft_save(request: HttpRequest, code: str, body: DraftIn) -> DraftOut:
    draft = services.draft_save(applicant=_user(request), item_code=code, answers=body.answers)
    return DraftOut(item=code, answers=json.loads(draft.answers), updated_at=draft.updated_at)


@router.get(
    "/applications/drafts/{code}",
    auth=user_auth,
    response={200: DraftOut, **ERRORS},
    url_name="draft_get",
)
def draft_get(request: HttpRequest, code: str) -> DraftOut:
    from citygate.applications.models import Draft
    from citygate.core.errors import NotFound

    draft = Draft.objects.filter(applicant=_user(request), item__code=code).first()
    if draft is None:
        raise NotFound()
    return DraftOut(item=code, answers=json.loads(draft.answers), updated_at=draft.updated_at)


@router.delete(
    "/applications/drafts/{code}",
    auth=user_auth,
    response={204: None, **ERRORS},
    url_name="draft_discard",
)
def draft_discard(request: HttpRequest, code: str) -> Status[None]:
    services.draft_discard(applicant=_user(request), item_code=code)
    return Status(204, None)


# --- Applications -----------------------------------------------------------------------------


class ApplicationIn(StrictSchema):
    item: str = NinjaField(max_length=32)
    answers: dict[str, Any] = NinjaField(default_factory=dict)
    material_ids: list[uuid.UUID] = NinjaField(default_factory=list, max_length=100)
    # Apply for a person who authorised you (a family member).
    on_behalf_of: uuid.UUID | None = None
    # Apply for an enterprise you represent or are a standing agent of.
    enterprise: uuid.UUID | None = None


class ApplicationBriefOut(Schema):
    id: uuid.UUID
    number: str
    item: str
    item_name: str
    department: str
    state: str
    state_label: str
    stage: str
    phase: str
    due_on: date
    submitted_at: Any
    channel: str


class EventOut(Schema):
    seq: int
    action: str
    label: str
    state_label: str
    actor: str
    at: Any
    details: dict[str, Any]


class ActionOut(Schema):
    name: str
    label: str
    requires: list[str]


class AnswerOut(Schema):
    name: str
    label: str
    value: str


class ApplicationOut(ApplicationBriefOut):
    paused: bool
    closed: bool
    outcome: str
    days_left: int | None
    late: bool
    submitted_by_centre: str
    history: list[EventOut]
    actions: list[ActionOut]
    answers: list[AnswerOut]
    verified: dict[str, str]
    materials: list[MaterialOut]
    rated: bool


class ApplicationListOut(Schema):
    items: list[ApplicationBriefOut]
    total: int
    page: int


def _state_label(application: Application) -> str:
    procedure = services.snapshot_procedure(application.workflow)
    return label(procedure.workflow.state(application.state))


def _brief(application: Application) -> ApplicationBriefOut:
    return ApplicationBriefOut(
        id=application.id,
        number=application.number,
        item=application.item.code,
        item_name=application.item.display_name,
        department=application.department.display_name,
        state=application.state,
        state_label=_state_label(application),
        stage=application.stage,
        phase=application.phase,
        due_on=application.due_on,
        submitted_at=application.submitted_at,
        channel=application.channel,
    )


def application_out(view: ApplicationView) -> ApplicationOut:
    application = view.application
    return ApplicationOut(
        **_brief(application).model_dump(),
        paused=view.paused,
        closed=view.closed,
        outcome=application.outcome,
        days_left=view.days_left,
        late=application.late,
        submitted_by_centre=application.centre.display_name if application.centre else "",
        history=[
            EventOut(
                seq=e.seq,
                action=e.action,
                label=e.label,
                state_label=e.state_label,
                actor=e.actor_label,
                at=e.at,
                details=e.details,
            )
            for e in view.events
        ],
        actions=[ActionOut(name=a.name, label=a.label, requires=a.requires) for a in view.actions],
        answers=[AnswerOut(name=a.name, label=a.label, value=a.value) for a in view.answers],
        verified=view.verified,
        materials=[_material_out(m) for m in application.materials.all()],
        rated=hasattr(application, "rating"),
    )


@router.post(
    "/applications",
    auth=user_auth,
    response={200: ApplicationOut, 201: ApplicationOut, **ERRORS},
    url_name="applications",
)
def application_submit(request: HttpRequest, body: ApplicationIn) -> Status[ApplicationOut]:
    """Applies for an item. Send an `Idempotency-Key` header (any unique text per attempt)."""
    user = _user(request)
    key = request.headers.get("Idempotency-Key", "")
    if body.on_behalf_of is not None:
        submission = assisted.family_submit(
            member=user,
            grantor_id=body.on_behalf_of,
            item_code=body.item,
            answers=body.answers,
            material_ids=body.material_ids,
            idempotency_key=key,
        )
    else:
        submission = services.application_submit(
            applicant=user,
            item_code=body.item,
            answers=body.answers,
            material_ids=body.material_ids,
            idempotency_key=key,
            enterprise_id=body.enterprise,
        )
    found = selectors.my_application_get(user=user, application_id=submission.application.pk)
    view = presenting.application_view(found, roles={Actor.APPLICANT}, for_staff=False, viewer=user)
    return Status(201 if submission.created else 200, application_out(view))


@router.get(
    "/applications",
    auth=user_auth,
    response={200: ApplicationListOut, **ERRORS},
    url_name="application_list",
)
def application_list(request: HttpRequest, page: Query[int] = 1) -> ApplicationListOut:
    """My applications, newest first (and those I made for someone who authorised me)."""
    page = max(1, min(page, 10_000))
    found = selectors.my_applications(user=_user(request)).select_related("workflow")
    total = found.count()
    rows = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return ApplicationListOut(items=[_brief(a) for a in rows], total=total, page=page)


def _mine(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    user = _user(request)
    found = selectors.my_application_get(user=user, application_id=application_id)
    roles = {Actor.APPLICANT}
    return application_out(
        presenting.application_view(found, roles=roles, for_staff=False, viewer=user)
    )


@router.get(
    "/applications/{application_id}",
    auth=user_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="application",
)
def application_get(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    """State, history and due date of one of my applications."""
    return _mine(request, application_id)


class SupplementIn(StrictSchema):
    material_ids: list[uuid.UUID] = NinjaField(default_factory=list, max_length=50)
    comment: str = NinjaField(default="", max_length=2000)


@router.post(
    "/applications/{application_id}/supplement",
    auth=user_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="supplement",
)
def application_supplement(
    request: HttpRequest, application_id: uuid.UUID, body: SupplementIn
) -> ApplicationOut:
    """Answers a request for more materials (补正): the clock starts again."""
    user = _user(request)
    selectors.my_application_get(user=user, application_id=application_id)
    services.application_act(
        actor=user,
        application_id=application_id,
        action="supplement",
        given=services.ActionInput(material_ids=body.material_ids, comment=body.comment),
    )
    return _mine(request, application_id)


class ActionIn(StrictSchema):
    reason: str = NinjaField(default="", max_length=2000)
    legal_basis: str = NinjaField(default="", max_length=2000)
    result: str = NinjaField(default="", max_length=2000)
    amount: str = NinjaField(default="", max_length=20)
    materials: list[str] = NinjaField(default_factory=list, max_length=20)
    comment: str = NinjaField(default="", max_length=2000)


def _given(body: ActionIn) -> services.ActionInput:
    return services.ActionInput(
        reason=body.reason,
        legal_basis=body.legal_basis,
        result=body.result,
        amount=body.amount,
        materials=list(body.materials),
        comment=body.comment,
    )


@router.post(
    "/applications/{application_id}/actions/{action}",
    auth=user_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="applicant_action",
)
def applicant_action(
    request: HttpRequest, application_id: uuid.UUID, action: str, body: ActionIn
) -> ApplicationOut:
    """An applicant's action the application offers now: `withdraw`, `appeal`."""
    user = _user(request)
    selectors.my_application_get(user=user, application_id=application_id)
    services.application_act(
        actor=user, application_id=application_id, action=action, given=_given(body)
    )
    return _mine(request, application_id)


class RatingIn(StrictSchema):
    grade: StrictInt
    tags: list[str] = NinjaField(default_factory=list, max_length=11)
    comment: str = NinjaField(default="", max_length=2000)


class RatingOut(Schema):
    id: uuid.UUID
    grade: int
    follow_up: bool


@router.post(
    "/applications/{application_id}/rating",
    auth=user_auth,
    response={201: RatingOut, **ERRORS},
    url_name="application_rating",
)
def application_rating(
    request: HttpRequest, application_id: uuid.UUID, body: RatingIn
) -> Status[RatingOut]:
    """好差评 of a completed application: once."""
    rating = ratings.rating_submit(
        rater=_user(request),
        grade=body.grade,
        tags=body.tags,
        comment=body.comment,
        application_id=application_id,
    )
    return Status(
        201, RatingOut(id=rating.id, grade=rating.grade, follow_up=hasattr(rating, "follow_up"))
    )


@router.post(
    "/appointments/{appointment_id}/rating",
    auth=user_auth,
    response={201: RatingOut, **ERRORS},
    url_name="appointment_rating",
)
def appointment_rating(
    request: HttpRequest, appointment_id: uuid.UUID, body: RatingIn
) -> Status[RatingOut]:
    """好差评 of a hall visit, once checked in: once."""
    rating = ratings.rating_submit(
        rater=_user(request),
        grade=body.grade,
        tags=body.tags,
        comment=body.comment,
        appointment_id=appointment_id,
    )
    return Status(
        201, RatingOut(id=rating.id, grade=rating.grade, follow_up=hasattr(rating, "follow_up"))
    )


# --- The workbench ---------------------------------------------------------------------------


class StaffRowOut(ApplicationBriefOut):
    applicant: str
    assignee: str
    late: bool


class QueueOut(Schema):
    queue: str
    items: list[StaffRowOut]
    total: int
    page: int
    counts: dict[str, int]


def staff_row(application: Application, state_label: str) -> StaffRowOut:
    return StaffRowOut(
        id=application.id,
        number=application.number,
        item=application.item.code,
        item_name=application.item.display_name,
        department=application.department.display_name,
        state=application.state,
        state_label=state_label,
        stage=application.stage,
        phase=application.phase,
        due_on=application.due_on,
        submitted_at=application.submitted_at,
        channel=application.channel,
        applicant=mask_name(application.applicant.name) or "—",
        assignee=application.assignee.login_name or "" if application.assignee else "",
        late=application.late
        or (application.phase == Phase.RUNNING and application.due_on < timezone.localdate()),
    )


def state_labels_for(rows: list[Application]) -> dict[tuple[int, str], str]:
    """State labels of a page of rows, reading each workflow version once."""
    from citygate.applications.models import WorkflowSnapshot

    snapshots = WorkflowSnapshot.objects.in_bulk({a.workflow_id for a in rows})
    labels: dict[tuple[int, str], str] = {}
    for application in rows:
        key = (application.workflow_id, application.state)
        if key not in labels:
            procedure = services.snapshot_procedure(snapshots[application.workflow_id])
            labels[key] = label(procedure.workflow.state(application.state))
    return labels


@router.get(
    "/staff/applications",
    auth=staff_auth,
    response={200: QueueOut, **ERRORS},
    url_name="staff_queue",
)
def staff_queue(request: HttpRequest, queue: Query[str] = "open", page: Query[int] = 1) -> QueueOut:
    """One queue of the workbench: new, due_soon, late, waiting, mine, open, closed."""
    user = _user(request)
    if queue not in selectors.Queue.ALL:
        raise InvalidInput({"queue": _("Choose one of the listed queues.")})
    page = max(1, min(page, 10_000))
    today = timezone.localdate()
    found = selectors.staff_queue(user=user, queue=queue, today=today)
    counts = selectors.queue_counts(user=user, today=today)
    ids = list(found.values_list("pk", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    rows = selectors.queue_rows(found, ids)
    labels = state_labels_for(rows)
    total = counts.get(queue) if queue in counts else found.count()
    return QueueOut(
        queue=queue,
        items=[staff_row(a, labels[(a.workflow_id, a.state)]) for a in rows],
        total=int(total or 0),
        page=page,
        counts=counts,
    )


def _staff_detail(user: User, application_id: uuid.UUID) -> ApplicationOut:
    found = selectors.staff_application_get(user=user, application_id=application_id)
    view = presenting.application_view(
        found, roles=staff_roles_on(user, found), for_staff=True, viewer=user
    )
    return application_out(view)


@router.get(
    "/staff/applications/{application_id}",
    auth=staff_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="staff_application",
)
def staff_application(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    return _staff_detail(_user(request), application_id)


@router.post(
    "/staff/applications/{application_id}/actions/{action}",
    auth=staff_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="staff_action",
)
def staff_action(
    request: HttpRequest, application_id: uuid.UUID, action: str, body: ActionIn
) -> ApplicationOut:
    """Takes a workflow action (accept, request_supplement, approve, reject, complete...)."""
    user = _user(request)
    selectors.staff_application_get(user=user, application_id=application_id)
    services.application_act(
        actor=user, application_id=application_id, action=action, given=_given(body)
    )
    return _staff_detail(user, application_id)


class AssignIn(StrictSchema):
    assignee: uuid.UUID | None = None


@router.post(
    "/staff/applications/{application_id}/assign",
    auth=staff_auth,
    response={200: ApplicationOut, **ERRORS},
    url_name="staff_assign",
)
def staff_assign(request: HttpRequest, application_id: uuid.UUID, body: AssignIn) -> ApplicationOut:
    """Claims the application (no assignee) or, for administrators, gives it to a clerk."""
    user = _user(request)
    services.application_assign(
        actor=user, application_id=application_id, assignee_id=body.assignee
    )
    return _staff_detail(user, application_id)


# --- Public figures -----------------------------------------------------------------------------


class DepartmentRecordOut(Schema):
    department: str
    name: str
    closed: int
    on_time_rate: float | None
    average_days: float | None
    ratings: int
    satisfaction_rate: float | None
    follow_ups: int
    follow_ups_on_time: int


@router.get(
    "/departments/performance",
    response={200: list[DepartmentRecordOut], **ERRORS},
    url_name="performance",
)
def performance(request: HttpRequest, days: Query[int] = 365) -> list[DepartmentRecordOut]:
    """Each department's on-time rate, average handling time and ratings over recent days."""
    days = max(1, min(days, 3660))
    since = timezone.localdate() - timedelta(days=days)
    return [
        DepartmentRecordOut(
            department=r.department.code,
            name=r.department.display_name,
            closed=r.closed,
            on_time_rate=round(r.on_time_rate, 3) if r.on_time_rate is not None else None,
            average_days=r.average_days,
            ratings=r.ratings,
            satisfaction_rate=(
                round(r.satisfaction_rate, 3) if r.satisfaction_rate is not None else None
            ),
            follow_ups=r.follow_ups,
            follow_ups_on_time=r.follow_ups_on_time,
        )
        for r in selectors.department_records(since=since)
    ]
