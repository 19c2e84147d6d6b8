"""The clerk's workbench: the queues of online applications, one application with its actions,
the follow-ups of poor ratings, and applying at a service centre for a resident (帮办代办).

Only staff who passed the TOTP step see these pages, and only the applications of the
departments in which they are clerks or administrators: any other is not found, on every page
and every POST. People are shown masked; the answers a form marks personal are revealed only
with a stated purpose, on the one response that follows, and every reveal is recorded. Every
form works without JavaScript; the services decide what may be done, and their messages are
shown beside the fields they concern.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.applications import assisted, ratings, selectors, services
from citygate.applications.api import state_labels_for
from citygate.applications.forms_spec import ItemForm, answer_display, item_form, label
from citygate.applications.models import (
    Application,
    AssistedSession,
    Channel,
    FollowUp,
    FollowUpState,
    Grade,
    Material,
    Phase,
)
from citygate.applications.presenting import (
    ActionView,
    ApplicationView,
    application_view,
    staff_roles_on,
)
from citygate.applications.selectors import Queue
from citygate.applications.staff_forms import (
    ActionForm,
    ApplyForm,
    AssignForm,
    AssistedCodeForm,
    AssistedItemForm,
    AssistedPaperForm,
    AssistedStartForm,
    FollowUpAnswerForm,
    RevealForm,
)
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.core.validation import small_positive_int
from citygate.halls.selectors import halls_of_staff
from citygate.privacy.masking import mask_name, mask_phone
from citygate.privacy.models import AccessChannel

PAGE_SIZE = 50
# Follow-up ids in a form are small positive numbers; anything else is not found.
_ID_LIMIT = 2**31 - 1


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    # Every check of roles on this request reads the same rows.
    prefetch_related_objects([user], "staff_roles")
    return user


def _page_number(request: HttpRequest) -> int:
    return small_positive_int(request.GET.get("page", "1"), maximum=100_000) or 1


def _channel_labels() -> dict[str, str]:
    return {
        Channel.ONLINE: pgettext("application channel", "Online"),
        Channel.FAMILY: pgettext("application channel", "Family member"),
        Channel.ASSISTED: pgettext("application channel", "Centre"),
    }


def _actor_labels() -> dict[str, str]:
    """Who took a step, as staff read it (the resident's page says "you")."""
    return {
        "applicant": _("Applicant"),
        "family": _("The applicant's authorised family member"),
        "centre": _("Service centre, for the applicant"),
    }


def _queue_labels() -> dict[str, str]:
    return {
        Queue.NEW: _("New"),
        Queue.DUE_SOON: _("Due soon"),
        Queue.LATE: _("Late"),
        Queue.WAITING: _("Waiting for the applicant"),
        Queue.MINE: _("Mine"),
        Queue.OPEN: _("All open"),
        Queue.CLOSED: _("Closed"),
    }


def _timing(application: Application, today: date) -> str:
    """ "late", "due_soon" or "" for the badge beside a due date."""
    if application.phase == Phase.RUNNING:
        if application.due_on < today:
            return "late"
        if application.warn_on <= today:
            return "due_soon"
        return ""
    return "late" if application.late else ""


# --- The queues -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    application: Application
    applicant: str
    state_label: str
    timing: str
    channel_label: str


@never_cache
@staff_required
@require_http_methods(["GET"])
def queue_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    queue = request.GET.get("queue", Queue.OPEN)
    if queue not in Queue.ALL:
        raise Http404
    # The queues come from the dates themselves; the warnings and escalations are sent by
    # each application's deferred checks and the daily sweep, not by reading a page.
    today = timezone.localdate()
    counts = selectors.queue_counts(user=user, today=today)
    found = selectors.staff_queue(user=user, queue=queue, today=today)
    page = Paginator(found.values_list("pk", flat=True), PAGE_SIZE).get_page(_page_number(request))
    applications = selectors.queue_rows(found, list(page.object_list))
    labels = state_labels_for(applications)
    channels = _channel_labels()
    rows = [
        QueueRow(
            application=a,
            applicant=mask_name(a.applicant.name) or "—",
            state_label=labels[(a.workflow_id, a.state)],
            timing=_timing(a, today),
            channel_label=channels.get(a.channel, a.channel),
        )
        for a in applications
    ]
    names = _queue_labels()
    tabs = [
        {"queue": name, "label": names[name], "count": counts.get(name), "current": name == queue}
        for name in Queue.ALL
    ]
    context = {
        "queue": queue,
        "queue_label": names[queue],
        "tabs": tabs,
        "page": page,
        "rows": rows,
        "handles_applications": bool(selectors.staff_department_ids(user=user)),
        "at_a_centre": bool(halls_of_staff(user=user)),
    }
    return render(request, "applications/staff_queue.html", context)


# --- One application --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    label: str
    state_label: str
    actor_label: str
    at: Any
    facts: list[tuple[str, str]]


@dataclass(frozen=True)
class MaterialRow:
    material: Material
    label: str


@dataclass
class DetailForms:
    """The forms of the detail page; the one just posted is bound, the others are fresh."""

    actions: dict[str, ActionForm] = field(default_factory=dict)
    assign: AssignForm | None = None
    reveal: RevealForm | None = None


def _detail_labels() -> dict[str, str]:
    return {
        "reason": _("Reason"),
        "legal_basis": pgettext("refusal", "Legal basis"),
        "result": _("Result issued"),
        "amount": _("Fee in yuan"),
        "materials": _("Materials needed"),
        "comment": _("Comment"),
    }


def _event_facts(details: dict[str, Any]) -> list[tuple[str, str]]:
    labels = _detail_labels()
    facts: list[tuple[str, str]] = []
    for key, name in labels.items():
        value = details.get(key)
        if not value:
            continue
        text = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        facts.append((name, text))
    handed = details.get("material_ids")
    if handed:
        facts.append((_("Files handed in"), str(len(handed))))
    return facts


def _application(user: User, application_id: uuid.UUID) -> Application:
    try:
        return selectors.staff_application_get(user=user, application_id=application_id)
    except NotFound:
        raise Http404 from None


def _form_of(application: Application) -> ItemForm:
    procedure = services.snapshot_procedure(application.workflow)
    return item_form(procedure, application.item.guide)


def _materials(application: Application, form: ItemForm) -> list[MaterialRow]:
    slots = {u.key: label(u) for u in form.uploads}
    slots["paper_confirmation"] = _("Signed paper confirmation")
    found = application.materials.order_by("uploaded_at")
    # The name the person gave the file may say who they are: the slot names it instead.
    return [
        MaterialRow(
            material=m, label=slots.get(m.key, m.key or pgettext("uploaded file", "Material"))
        )
        for m in found
    ]


def _revealed_answers(form: ItemForm, stored: dict[str, Any]) -> list[tuple[str, str]]:
    answers = stored.get("fields", {})
    return [
        (label(spec), answer_display(spec, answers[spec.name]))
        for spec in form.fields
        if spec.name in answers
    ]


def _assignable_clerks(user: User, application: Application) -> list[User]:
    if application.department_id not in selectors.admin_department_ids(user=user):
        return []
    return list(
        selectors.department_clerks(department_id=application.department_id).order_by("login_name")
    )


def _render_detail(
    request: HttpRequest,
    user: User,
    application: Application,
    *,
    view: ApplicationView | None = None,
    forms: DetailForms | None = None,
    status: int = 200,
    problem: str = "",
    revealed: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    view = view or application_view(
        application, roles=staff_roles_on(user, application), for_staff=True, viewer=user
    )
    forms = forms or DetailForms()
    form = _form_of(application)
    clerks = _assignable_clerks(user, application)
    action_forms = [forms.actions.get(a.name) or ActionForm(action=a) for a in view.actions]
    bound = [f for f in action_forms if f.is_bound and f.errors]
    actors = _actor_labels()
    events = [
        EventRow(
            label=e.label,
            state_label=e.state_label,
            actor_label=actors.get(e.actor_role, e.actor_label),
            at=e.at,
            facts=_event_facts(e.details),
        )
        for e in view.events
    ]
    submitted_by = application.submitted_by if application.submitted_by_id else None
    context = {
        "application": application,
        "view": view,
        "applicant": mask_name(application.applicant.name) or "—",
        "submitted_by": mask_name(submitted_by.name) if submitted_by else "",
        "channel_label": _channel_labels().get(application.channel, application.channel),
        "timing": _timing(application, timezone.localdate()),
        "late_by": -view.days_left if view.days_left is not None and view.days_left < 0 else 0,
        "materials": _materials(application, form),
        "events": events,
        "main_actions": [f for f in action_forms if not f.danger],
        "danger_actions": [f for f in action_forms if f.danger],
        "failed_form": bound[0] if bound else None,
        "may_claim": not view.closed and application.assignee_id != user.pk,
        "assign_form": (
            (forms.assign or AssignForm(clerks=clerks)) if clerks and not view.closed else None
        ),
        "reveal_form": forms.reveal or RevealForm(),
        "has_personal_answers": any(spec.personal for spec in form.fields),
        "revealed": revealed,
        "problem": problem,
    }
    return render(request, "applications/staff_detail.html", context, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def detail_page(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    application = _application(user, application_id)
    if request.method != "POST":
        return _render_detail(request, user, application)
    operation = request.POST.get("op", "")
    if operation in ("act", "edit"):
        return _act(request, user, application, edit=operation == "edit")
    if operation == "claim":
        return _claim(request, user, application)
    if operation == "assign":
        return _assign(request, user, application)
    if operation == "reveal":
        return _reveal(request, user, application)
    return _render_detail(
        request, user, application, status=400, problem=_("Choose one of the page's buttons.")
    )


def _back_to(application: Application) -> HttpResponse:
    return redirect("applications:staff_detail", application_id=application.pk)


def _failed(
    request: HttpRequest, user: User, application: Application, error: ApplicationError
) -> HttpResponse:
    """A service's refusal that names no field: above the page."""
    if error.status == 404:
        raise Http404
    return _render_detail(
        request, user, application, status=error.status, problem=str(error.message)
    )


def _act(request: HttpRequest, user: User, application: Application, *, edit: bool) -> HttpResponse:
    view = application_view(
        application, roles=staff_roles_on(user, application), for_staff=True, viewer=user
    )
    name = request.POST.get("action", "")
    offered: ActionView | None = next((a for a in view.actions if a.name == name), None)
    if offered is None:
        return _render_detail(
            request,
            user,
            application,
            view=view,
            status=409,
            problem=_(
                "This cannot be done at the application's present step. Reload to see where it is."
            ),
        )
    form = ActionForm(request.POST, action=offered)
    valid = form.is_valid()
    if edit or not valid:
        forms = DetailForms(actions={offered.name: form})
        status = 200 if edit else 400
        return _render_detail(request, user, application, view=view, forms=forms, status=status)
    if form.danger and request.POST.get("confirmed") != "yes":
        context = {"application": application, "form": form, "entered": form.entered()}
        return render(request, "applications/staff_confirm.html", context)
    try:
        services.application_act(
            actor=user, application_id=application.pk, action=offered.name, given=form.given()
        )
    except ApplicationError as error:
        if error.status == 404:
            raise Http404 from None
        form.add_application_error(error)
        forms = DetailForms(actions={offered.name: form})
        return _render_detail(
            request, user, application, view=view, forms=forms, status=error.status
        )
    messages.success(request, _("Done: %(action)s.") % {"action": offered.label})
    return _back_to(application)


def _claim(request: HttpRequest, user: User, application: Application) -> HttpResponse:
    try:
        services.application_assign(actor=user, application_id=application.pk)
    except ApplicationError as error:
        return _failed(request, user, application, error)
    messages.success(request, _("You have taken this application."))
    return _back_to(application)


def _assign(request: HttpRequest, user: User, application: Application) -> HttpResponse:
    clerks = _assignable_clerks(user, application)
    if not clerks:
        return _failed(
            request,
            user,
            application,
            ApplicationError(
                "forbidden", _("Only the department's administrators assign work."), status=403
            ),
        )
    form = AssignForm(request.POST, clerks=clerks)
    if form.is_valid():
        try:
            services.application_assign(
                actor=user,
                application_id=application.pk,
                assignee_id=form.cleaned_data["assignee"],
            )
        except ApplicationError as error:
            if error.status == 404:
                raise Http404 from None
            form.add_application_error(error)
        else:
            messages.success(request, _("Assigned."))
            return _back_to(application)
    return _render_detail(request, user, application, forms=DetailForms(assign=form), status=400)


def _reveal(request: HttpRequest, user: User, application: Application) -> HttpResponse:
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            stored = services.application_answers_reveal(
                actor=user,
                application_id=application.pk,
                purpose=form.cleaned_data["purpose"],
                detail=form.cleaned_data["detail"],
                channel=AccessChannel.WEB,
            )
        except ApplicationError as error:
            if error.status == 404:
                raise Http404 from None
            form.add_application_error(error)
        else:
            # Shown on this response only: never kept in the session, never put in a URL.
            revealed = _revealed_answers(_form_of(application), stored)
            return _render_detail(request, user, application, revealed=revealed)
    return _render_detail(request, user, application, forms=DetailForms(reveal=form), status=400)


# --- Follow-ups of poor ratings ---------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    grade_label: str
    tags: list[str]
    form: FollowUpAnswerForm | None
    late: bool


def _tag_labels() -> dict[str, str]:
    return {key: str(text) for key, text in {**ratings.GOOD_TAGS, **ratings.POOR_TAGS}.items()}


def _follow_up_row(
    follow_up: FollowUp,
    posted: FollowUpAnswerForm | None,
    tags: dict[str, str],
    today: date,
) -> FollowUpRow:
    answerable = follow_up.state in (FollowUpState.OPEN, FollowUpState.REOPENED)
    form = None
    if answerable:
        form = posted if posted is not None else FollowUpAnswerForm(follow_up_id=follow_up.pk)
    rating = follow_up.rating
    return FollowUpRow(
        follow_up=follow_up,
        grade_label=str(Grade(rating.grade).label),
        tags=[tags.get(t, t) for t in rating.tags],
        form=form,
        late=answerable and follow_up.due_on < today,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def follow_ups_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    posted: FollowUpAnswerForm | None = None
    posted_follow_up: FollowUp | None = None
    status = 200
    if request.method == "POST":
        posted_id = small_positive_int(request.POST.get("follow_up", ""), maximum=_ID_LIMIT)
        posted_follow_up = (
            selectors.staff_follow_ups(user=user, open_only=False)
            .select_related("rating__application")
            .filter(pk=posted_id or 0)
            .first()
        )
        if posted_follow_up is None:
            # Another department's follow-up, or none: as if it did not exist.
            raise Http404
        posted = FollowUpAnswerForm(request.POST, follow_up_id=posted_follow_up.pk)
        status = 400
        if posted.is_valid():
            try:
                ratings.follow_up_answer(
                    actor=user,
                    follow_up_id=posted_follow_up.pk,
                    answer=posted.cleaned_data["answer"],
                )
            except ApplicationError as error:
                if error.status == 404:
                    raise Http404 from None
                posted.add_application_error(error)
                status = error.status
            else:
                messages.success(request, _("Answer sent to the resident."))
                return redirect("applications:staff_follow_ups")
    open_only = request.GET.get("show") != "all"
    found = selectors.staff_follow_ups(user=user, open_only=open_only).select_related(
        "rating__application"
    )
    page = Paginator(found, PAGE_SIZE).get_page(_page_number(request))
    tags = _tag_labels()
    today = timezone.localdate()
    rows = []
    for follow_up in page.object_list:
        mine = posted_follow_up is not None and follow_up.pk == posted_follow_up.pk
        rows.append(_follow_up_row(follow_up, posted if mine else None, tags, today))
    if posted_follow_up is not None and not any(r.form is posted for r in rows):
        # The follow-up answered with a mistake is on another page of the list: shown first.
        rows.insert(0, _follow_up_row(posted_follow_up, posted, tags, today))
    context = {
        "rows": rows,
        "page": page,
        "open_only": open_only,
        "failed_form": posted if posted is not None and posted.errors else None,
    }
    return render(request, "applications/staff_follow_ups.html", context, status=status)


# --- Applying at a centre for a resident (帮办代办) ----------------------------------------------


def _session_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        raise Http404 from None


def _clerks_session(user: User, session_id: uuid.UUID) -> AssistedSession | None:
    """This clerk's session in any state (confirmed or not), or None."""
    return (
        AssistedSession.objects.select_related("resident", "centre")
        .filter(pk=session_id, clerk=user)
        .first()
    )


def _session_state(session: AssistedSession | None) -> str:
    """ "confirm" (waiting for the resident's confirmation), "apply" or "ended"."""
    if session is None or session.expires_at <= timezone.now():
        return "ended"
    return "confirm" if session.confirmed_at is None else "apply"


def _assisted_url(**params: object) -> str:
    query = urlencode({k: str(v) for k, v in params.items() if v})
    url = reverse("applications:staff_assisted")
    return f"{url}?{query}" if query else url


def _online_items() -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, can_apply_online=True).order_by(
            "department__order", "code"
        )
    )


def _idempotency_key(text: str) -> str:
    text = (text or "").strip()
    if text and len(text) <= 80 and text.isascii() and text.isprintable():
        return text
    return str(uuid.uuid4())


@dataclass
class AssistedContext:
    """What the assisted page shows at its present step."""

    step: str
    halls: list[Any]
    session: AssistedSession | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def resident(self) -> dict[str, str]:
        if self.session is None:
            return {}
        person = self.session.resident
        return {"name": mask_name(person.name), "phone": mask_phone(person.phone)}


def _render_assisted(
    request: HttpRequest, found: AssistedContext, *, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "step": found.step,
        "halls": found.halls,
        "session": found.session,
        "resident": found.resident(),
        **found.values,
    }
    return render(request, "applications/staff_assisted.html", context, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def assisted_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    halls = halls_of_staff(user=user)
    if not halls:
        return _render_assisted(request, AssistedContext(step="no_centre", halls=[]))
    data = request.POST if request.method == "POST" else request.GET
    session_id = _session_id(data.get("session", ""))
    if request.method == "POST" and request.POST.get("step") == "start":
        return _assisted_start(request, user, halls)
    if session_id is None:
        form = AssistedStartForm(halls=halls)
        return _render_assisted(
            request, AssistedContext(step="start", halls=halls, values={"start_form": form})
        )
    session = _clerks_session(user, session_id)
    receipt = _session_id(request.GET.get("receipt", "")) if request.method == "GET" else None
    if receipt is not None:
        return _assisted_receipt(request, user, halls, session, receipt)
    state = _session_state(session)
    if state == "ended":
        return _assisted_ended(request, halls)
    assert session is not None  # noqa: S101 - an ended session is answered above
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if state == "confirm":
        if step == "code":
            return _assisted_code(request, user, halls, session)
        if step == "paper":
            return _assisted_paper(request, user, halls, session)
        return _render_confirm_step(request, halls, session)
    if step == "apply":
        return _assisted_apply(request, user, halls, session)
    return _render_apply_step(request, halls, session, request.GET.get("item", ""))


def _assisted_ended(request: HttpRequest, halls: list[Any]) -> HttpResponse:
    values = {
        "start_form": AssistedStartForm(halls=halls),
        "problem": _("This assisted session has ended. Start again with the resident."),
    }
    return _render_assisted(
        request, AssistedContext(step="start", halls=halls, values=values), status=404
    )


def _assisted_start(request: HttpRequest, user: User, halls: list[Any]) -> HttpResponse:
    form = AssistedStartForm(request.POST, halls=halls)
    status = 400
    if form.is_valid():
        number = form.cleaned_data["number"]
        by_phone = form.cleaned_data["by"] == "phone"
        try:
            started = assisted.assisted_start(
                clerk=user,
                centre_id=form.cleaned_data["centre"],
                phone=number if by_phone else "",
                id_number="" if by_phone else number,
            )
        except ApplicationError as error:
            form.add_application_error(error)
            status = error.status
        else:
            return redirect(_assisted_url(session=started.session.pk))
    values = {"start_form": form}
    return _render_assisted(
        request, AssistedContext(step="start", halls=halls, values=values), status=status
    )


def _render_confirm_step(
    request: HttpRequest,
    halls: list[Any],
    session: AssistedSession,
    *,
    code_form: AssistedCodeForm | None = None,
    paper_form: AssistedPaperForm | None = None,
    status: int = 200,
) -> HttpResponse:
    values = {
        "code_sent": bool(session.code_hash),
        "code_form": code_form or AssistedCodeForm(),
        "paper_form": paper_form or AssistedPaperForm(),
        "failed_form": next(
            (f for f in (code_form, paper_form) if f is not None and f.errors), None
        ),
    }
    found = AssistedContext(step="confirm", halls=halls, session=session, values=values)
    return _render_assisted(request, found, status=status)


def _assisted_code(
    request: HttpRequest, user: User, halls: list[Any], session: AssistedSession
) -> HttpResponse:
    form = AssistedCodeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            assisted.assisted_confirm_code(
                clerk=user, session_id=session.pk, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            if error.status == 404:
                return _assisted_ended(request, halls)
            form.add_application_error(error)
            status = error.status
            session.refresh_from_db()
        else:
            messages.success(request, _("The resident confirmed. Choose the service."))
            return redirect(_assisted_url(session=session.pk))
    return _render_confirm_step(request, halls, session, code_form=form, status=status)


def _assisted_paper(
    request: HttpRequest, user: User, halls: list[Any], session: AssistedSession
) -> HttpResponse:
    form = AssistedPaperForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            assisted.assisted_confirm_paper(
                clerk=user, session_id=session.pk, upload=form.cleaned_data["scan"]
            )
        except ApplicationError as error:
            if error.status == 404:
                return _assisted_ended(request, halls)
            form.add_application_error(error)
            status = error.status
        else:
            messages.success(request, _("The signed form is kept. Choose the service."))
            return redirect(_assisted_url(session=session.pk))
    return _render_confirm_step(request, halls, session, paper_form=form, status=status)


def _kept_materials(user: User, session: AssistedSession, ids: list[str]) -> list[Material]:
    """Files this clerk uploaded for the resident in an earlier try, not yet handed in."""
    wanted = []
    for text in ids[:50]:
        try:
            wanted.append(uuid.UUID(text))
        except ValueError:
            continue
    return list(
        Material.objects.filter(
            pk__in=wanted, owner=session.resident, uploaded_by=user, application=None
        ).order_by("uploaded_at")
    )


def _render_apply_step(
    request: HttpRequest,
    halls: list[Any],
    session: AssistedSession,
    code: str,
    *,
    apply_form: ApplyForm | None = None,
    kept: list[Material] | None = None,
    key: str = "",
    status: int = 200,
) -> HttpResponse:
    items = _online_items()
    chosen = next((i for i in items if i.code == code), None) if code else None
    item_form = AssistedItemForm(
        {"item": code} if code else None, items=items, initial={"item": code}
    )
    values: dict[str, Any] = {"item_form": item_form, "item": chosen}
    if code and chosen is None:
        item_form.is_valid()
        values["failed_form"] = item_form
        status = 400
    if chosen is not None:
        form = apply_form or ApplyForm(form=services.form_of(chosen))
        slots = {u.key: label(u) for u in form.item_form.uploads}
        values.update(
            apply_form=form,
            kept=[(m, slots.get(m.key, m.key)) for m in kept or []],
            idempotency_key=key or str(uuid.uuid4()),
            failed_form=form if form.errors else None,
        )
    found = AssistedContext(step="apply", halls=halls, session=session, values=values)
    return _render_assisted(request, found, status=status)


def _receipt_redirect(session: AssistedSession, application: Application) -> HttpResponse:
    return redirect(_assisted_url(session=session.pk, receipt=application.pk))


def _made_with_key(user: User, session: AssistedSession, key: str) -> Application | None:
    return Application.objects.filter(
        applicant=session.resident, submitted_by=user, idempotency_key=key
    ).first()


def _assisted_apply(
    request: HttpRequest, user: User, halls: list[Any], session: AssistedSession
) -> HttpResponse:
    code = request.POST.get("item", "")
    key = _idempotency_key(request.POST.get("idempotency_key", ""))
    made = _made_with_key(user, session, key)
    if made is not None:
        # The same form sent twice (a double click, a reload): the first one counts.
        return _receipt_redirect(session, made)
    try:
        item = services.applicable_item(code)
    except ApplicationError:
        return _render_apply_step(request, halls, session, code, status=400)
    form = ApplyForm(request.POST, request.FILES, form=services.form_of(item))
    kept = _kept_materials(user, session, request.POST.getlist("kept"))
    if not form.is_valid():
        return _render_apply_step(
            request, halls, session, code, apply_form=form, kept=kept, key=key, status=400
        )
    upload_errors: dict[str, str] = {}
    for slot, upload in form.files_by_key():
        try:
            kept.append(
                services.material_upload(
                    owner=session.resident,
                    upload=upload,
                    item_code=item.code,
                    key=slot,
                    uploaded_by=user,
                )
            )
        except ApplicationError as error:
            upload_errors[f"materials.{slot}"] = str(
                error.fields.get("file") or error.fields.get("key") or error.message
            )
    try:
        if upload_errors:
            raise InvalidInput(upload_errors)
        submission = assisted.assisted_submit(
            clerk=user,
            session_id=session.pk,
            item_code=item.code,
            answers=form.answers(),
            material_ids=[m.pk for m in kept],
            idempotency_key=key,
        )
    except ApplicationError as error:
        if error.code == "idempotency_conflict":
            made = _made_with_key(user, session, key)
            if made is not None:
                return _receipt_redirect(session, made)
        if error.status == 404 and not error.fields:
            return _assisted_ended(request, halls)
        form.add_application_error(error)
        return _render_apply_step(
            request,
            halls,
            session,
            code,
            apply_form=form,
            kept=kept,
            key=key,
            status=error.status,
        )
    messages.success(request, _("The application is made for the resident."))
    return _receipt_redirect(session, submission.application)


def _assisted_receipt(
    request: HttpRequest,
    user: User,
    halls: list[Any],
    session: AssistedSession | None,
    application_id: uuid.UUID,
) -> HttpResponse:
    application = (
        Application.objects.select_related("item", "centre", "applicant")
        .filter(pk=application_id, submitted_by=user, channel=Channel.ASSISTED)
        .first()
    )
    if application is None:
        raise Http404
    values = {
        "application": application,
        "applicant": mask_name(application.applicant.name) or "—",
        "session_open": _session_state(session) == "apply",
    }
    found = AssistedContext(step="receipt", halls=halls, session=session, values=values)
    return _render_assisted(request, found)
