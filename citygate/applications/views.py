"""The resident's pages of online applications: apply, the receipt, my applications and one
application's history and actions, ratings (好差评), family authorisations, and the public
figures of each department.

Thin, like the API: each view reads a form, calls a service or selector and shows the
service's errors beside the fields. Every page works without JavaScript. Personal values
travel in POST bodies only; URLs carry ids. The application form is posted as multipart: its
files are stored first (`services.material_upload`) and handed in with the submission, and a
page shown again after an error keeps them attached, so nothing typed or uploaded is lost.
A hidden key made when the form is shown is the submission's Idempotency-Key: a double click
or a resent POST makes one application.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from citygate.accounts.auth import staff_session_valid
from citygate.accounts.models import User
from citygate.applications import assisted, presenting, ratings, selectors, services
from citygate.applications.api import material_response, state_labels_for
from citygate.applications.forms import (
    ApplicationForm,
    AuthorisationForm,
    RatingForm,
    ReasonForm,
    SupplementForm,
    UploadField,
    relation_labels,
    upload_limits,
)
from citygate.applications.forms_spec import ItemForm, answers_clean, label
from citygate.applications.models import (
    Application,
    Channel,
    Draft,
    FollowUpState,
    Grade,
    Material,
    Phase,
    Rating,
)
from citygate.applications.workflow import Actor, Upload
from citygate.catalog.models import ServiceItem
from citygate.catalog.selectors import published_items
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone

PAGE_SIZE = 20
IDEMPOTENCY_KEY_LENGTH = 24
# Files a supplement (补正) may hand in at once.
SUPPLEMENT_MAX_FILES = 10
# Form statuses a page passes on; anything else shows the form again as 400.
PASSED_ON = frozenset({403, 404, 409, 429})


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text or ""))
    except ValueError:
        return None


def _status(error: ApplicationError) -> int:
    return error.status if error.status in PASSED_ON else 400


def outcome_labels() -> dict[str, str]:
    return {
        "approved": _("Approved"),
        "rejected": _("Not approved"),
        "not_accepted": _("Not accepted"),
        "withdrawn": _("Application withdrawn"),
    }


def prefill_labels() -> dict[str, str]:
    return {"name": _("Name"), "id_number": _("ID number"), "phone": _("Mobile number")}


def _prefilled(item_form: ItemForm, person: User) -> list[tuple[str, str]]:
    """What the verified account fills in, masked, in the form's order."""
    masked = {
        "name": mask_name(person.name),
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
    }
    labels = prefill_labels()
    return [(labels[key], masked[key]) for key in item_form.form.prefill if masked.get(key)]


# --- Files kept across tries --------------------------------------------------------------------

Store = Callable[[UploadedFile[bytes], str], Material]


def _attach_files(
    request: HttpRequest,
    uploads: list[UploadField],
    *,
    owner: User,
    uploaded_by: User | None,
    store: Store,
) -> list[uuid.UUID]:
    """Keeps the files attached before (less those ticked for removal) and stores the new ones.

    Returns the ids of the files stored by this request; errors go beside their upload.
    """
    wanted = {
        upload.key: [i for i in map(_uuid, request.POST.getlist(f"kept_{upload.key}")) if i]
        for upload in uploads
    }
    ids = [i for found in wanted.values() for i in found]
    kept = {
        m.pk: m for m in selectors.pending_materials(owner=owner, uploaded_by=uploaded_by, ids=ids)
    }
    removed = {i for i in map(_uuid, request.POST.getlist("remove")) if i}
    fresh: list[uuid.UUID] = []
    for upload in uploads:
        for material_id in wanted[upload.key]:
            material = kept.get(material_id)
            if material is None or material.key != upload.key or material in upload.attached:
                continue
            if material_id in removed:
                services.material_delete(owner=owner, material_id=material_id)
            else:
                upload.attached.append(material)
        files = request.FILES.getlist(upload.name)
        if len(upload.attached) + len(files) > upload.slot.max_files:
            upload.error = _("Upload at most %(count)d files here.") % {
                "count": upload.slot.max_files
            }
            continue
        for file in files:
            try:
                material = store(file, upload.key)
            except InvalidInput as error:
                upload.error = str(error.fields.get("file") or error.message)
                break
            upload.attached.append(material)
            fresh.append(material.pk)
    return fresh


def _forget(owner: User, ids: list[uuid.UUID]) -> None:
    for material_id in ids:
        try:
            services.material_delete(owner=owner, material_id=material_id)
        except NotFound:
            continue


# --- Apply --------------------------------------------------------------------------------------


def _applicable(code: str) -> ServiceItem:
    try:
        return services.applicable_item(code)
    except ApplicationError:
        # Unknown, unpublished, or not online: the page does not exist.
        raise Http404 from None


def _grantor(request: HttpRequest, user: User, item: ServiceItem) -> User | None:
    """The person the signed-in family member applies for (`?for=<id>`), if authorised."""
    text = request.GET.get("for", "")
    if not text:
        return None
    grantor_id = _uuid(text)
    if grantor_id is None or grantor_id == user.pk:
        raise Http404
    if not selectors.authorisation_active(
        grantor_id=grantor_id, grantee=user, item_id=item.pk, today=timezone.localdate()
    ):
        raise Http404
    grantor = User.objects.filter(pk=grantor_id, is_active=True).first()
    if grantor is None:
        raise Http404
    return grantor


def _new_key() -> str:
    return secrets.token_urlsafe(IDEMPOTENCY_KEY_LENGTH)


def _posted_key(request: HttpRequest) -> str:
    key = request.POST.get("idempotency_key", "").strip()
    valid = 0 < len(key) <= services.IDEMPOTENCY_KEY_MAX and key.isascii() and key.isprintable()
    return key if valid else _new_key()


@never_cache
@require_http_methods(["GET", "POST"])
def apply_page(request: HttpRequest, code: str) -> HttpResponse:
    """The application form of an item: what the account fills in, the fields, the uploads."""
    item = _applicable(code)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = _user(request)
    grantor = _grantor(request, user, item)
    applicant = grantor or user
    item_form = services.form_of(item)
    procedure = item_form.procedure
    action_url = reverse("applications:apply", args=[item.code])
    if grantor is not None:
        action_url += f"?for={grantor.pk}"
    context: dict[str, Any] = {
        "item": item,
        "limit_days": services.promised_limit_days(procedure, item),
        "prefilled": _prefilled(item_form, applicant),
        "grantor_name": mask_name(grantor.name) if grantor else "",
        "action_url": action_url,
    }
    if procedure.form.real_name and not applicant.is_real_name_verified:
        return render(request, "applications/apply_verify.html", context)
    context.update(_enterprise_choice(item, applicant, request.POST.get("enterprise", "")))
    if context["enterprise_needed"] and not context["enterprises"]:
        return render(request, "applications/apply_enterprise.html", context)
    draft = Draft.objects.filter(applicant=user, item=item).first() if grantor is None else None
    context["draft"] = draft
    if request.method == "POST":
        return _apply_post(request, context, item_form, user=user, grantor=grantor)
    stored = json.loads(draft.answers) if draft is not None else None
    form = ApplicationForm(item_form, stored=stored, english=_english())
    return _apply_render(request, context, form, _new_key())


def _enterprise_choice(item: ServiceItem, applicant: User, chosen: str) -> dict[str, Any]:
    """For items that serve enterprises: the enterprises the applicant acts for, to choose one."""
    from citygate.accounts.selectors import enterprise_list_for_user
    from citygate.catalog.content import Audience

    audience = set(item.guide.audience)
    if Audience.ENTERPRISE not in audience:
        return {"enterprises": [], "enterprise_needed": False, "enterprise_chosen": ""}
    memberships = enterprise_list_for_user(user=applicant)
    return {
        "enterprises": [m.enterprise for m in memberships],
        "enterprise_needed": audience == {Audience.ENTERPRISE},
        "enterprise_chosen": chosen,
    }


def _apply_render(
    request: HttpRequest,
    context: dict[str, Any],
    form: ApplicationForm,
    key: str,
    *,
    status: int = 200,
    saved: bool = False,
) -> HttpResponse:
    context.update(
        form=form,
        summary=form.summary(),
        idempotency_key=key,
        draft_saved=saved,
    )
    return render(request, "applications/apply.html", context, status=status)


def _made_by(application: Application, user: User) -> bool:
    return user.pk in (application.applicant_id, application.submitted_by_id)


def _apply_post(
    request: HttpRequest,
    context: dict[str, Any],
    item_form: ItemForm,
    *,
    user: User,
    grantor: User | None,
) -> HttpResponse:
    item: ServiceItem = context["item"]
    applicant = grantor or user
    key = _posted_key(request)
    action = request.POST.get("action", "submit")
    if action == "discard" and grantor is None:
        services.draft_discard(applicant=user, item_code=item.code)
        messages.success(request, _("The draft is deleted."))
        return redirect(context["action_url"])
    # Drafts are one's own: a family member's form has no draft button, and sends.
    drafting = action == "draft" and grantor is None

    if not drafting:
        # The same form sent again (a double click, a resent POST): its application.
        existing = selectors.application_by_key(applicant=applicant, idempotency_key=key)
        if existing is not None and _made_by(existing, user):
            messages.info(request, _("This form was already sent. Here is its receipt."))
            return redirect("applications:receipt", application_id=existing.pk)

    form = ApplicationForm(item_form, data=request.POST, english=_english())

    # A family member's uploads are the grantor's materials, marked as uploaded by them.
    member = user if grantor is not None else None

    def store(upload: UploadedFile[bytes], slot: str) -> Material:
        return services.material_upload(
            owner=applicant, upload=upload, item_code=item.code, key=slot, uploaded_by=member
        )

    fresh = _attach_files(request, form.uploads, owner=applicant, uploaded_by=member, store=store)

    if drafting:
        try:
            services.draft_save(applicant=user, item_code=item.code, answers=form.answers())
        except InvalidInput as error:
            form.add_application_error(error)
        if form.has_errors:
            return _apply_render(request, context, form, key, status=400)
        if form.material_ids():
            # Files are not part of a draft: the page stays open, showing them attached.
            context["draft"] = Draft.objects.filter(applicant=user, item=item).first()
            return _apply_render(request, context, form, key, saved=True)
        messages.success(request, _("Draft saved. Your answers are here when you come back."))
        return redirect(context["action_url"])

    if form.has_errors:
        _check_answers(form, item_form)
        return _apply_render(request, context, form, key, status=400)
    try:
        if grantor is not None:
            submission = assisted.family_submit(
                member=user,
                grantor_id=grantor.pk,
                item_code=item.code,
                answers=form.answers(),
                material_ids=form.material_ids(),
                idempotency_key=key,
            )
        else:
            submission = services.application_submit(
                applicant=user,
                item_code=item.code,
                answers=form.answers(),
                material_ids=form.material_ids(),
                idempotency_key=key,
                enterprise_id=_uuid(request.POST.get("enterprise", "")),
            )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        if error.code == "idempotency_conflict":
            existing = selectors.application_by_key(applicant=applicant, idempotency_key=key)
            if existing is not None and _made_by(existing, user):
                # Two tries of one form raced; the first made the application.
                _forget(applicant, fresh)
                messages.info(request, _("This form was already sent. Here is its receipt."))
                return redirect("applications:receipt", application_id=existing.pk)
        form.add_application_error(error)
        return _apply_render(request, context, form, key, status=_status(error))
    if submission.created:
        messages.success(request, _("Your application is submitted."))
    return redirect("applications:receipt", application_id=submission.application.pk)


def _check_answers(form: ApplicationForm, item_form: ItemForm) -> None:
    """Every problem at once: the answers too, when an upload already failed."""
    try:
        answers_clean(item_form, form.answers())
    except InvalidInput as error:
        form.add_application_error(error)
    for upload in form.uploads:
        if upload.slot.required and not upload.attached and not upload.error:
            upload.error = _("Upload this material.")


# --- Receipt, list, detail ----------------------------------------------------------------------


def _mine(request: HttpRequest, application_id: uuid.UUID) -> Application:
    try:
        return selectors.my_application_get(user=_user(request), application_id=application_id)
    except NotFound:
        raise Http404 from None


@never_cache
@login_required
@require_GET
def receipt_page(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """回执: what was received, when, and by when the department promises a result."""
    application = _mine(request, application_id)
    procedure = services.snapshot_procedure(application.workflow)
    context = {
        "application": application,
        "state_label": label(procedure.workflow.state(application.state)),
        "for_someone_else": application.applicant_id != _user(request).pk,
        "applicant_name": mask_name(application.applicant.name),
    }
    return render(request, "applications/receipt.html", context)


def _badges(application: Application, user: User) -> list[tuple[str, str]]:
    """Who made the application, when not the applicant: (a short badge, the detail)."""
    if application.channel == Channel.ASSISTED and application.centre is not None:
        centre = application.centre.display_name
        return [(_("Made for you"), _("by %(centre)s") % {"centre": centre})]
    if application.channel == Channel.FAMILY:
        if application.applicant_id == user.pk:
            return [(_("By your family member"), "")]
        return [(_("For your family member"), mask_name(application.applicant.name))]
    return []


@never_cache
@login_required
@require_GET
def list_page(request: HttpRequest) -> HttpResponse:
    """My applications, newest first; the same few queries however many there are."""
    user = _user(request)
    found = selectors.my_applications(user=user).select_related("applicant")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    applications = list(page.object_list)
    labels = state_labels_for(applications)
    outcomes = outcome_labels()
    rows = [
        {
            "application": a,
            "state_label": labels[(a.workflow_id, a.state)],
            "outcome": outcomes.get(a.outcome, "") if a.phase == Phase.STOPPED else "",
            "badges": _badges(a, user),
        }
        for a in applications
    ]
    return render(request, "applications/list.html", {"page": page, "rows": rows})


def detail_labels() -> dict[str, str]:
    return {
        "reason": _("Reason"),
        # A refusal's legal basis, not the one a service item is set up by (catalog: 设定依据).
        "legal_basis": pgettext("refusal", "Legal basis"),
        "result": _("Result"),
        "materials": _("Materials asked for"),
        "amount": _("Fee to pay"),
        "comment": _("Note"),
        "material_ids": _("Files handed in"),
    }


def _details(details: dict[str, Any]) -> list[dict[str, Any]]:
    """An event's details as the applicant reads them: a text, or a list of texts."""
    found: list[dict[str, Any]] = []
    for key, name in detail_labels().items():
        value = details.get(key)
        if not value:
            continue
        entry: dict[str, Any] = {"name": name, "text": "", "items": []}
        if key == "amount":
            entry["text"] = _("%(amount)s yuan") % {"amount": value}
        elif key == "material_ids":
            entry["text"] = str(len(value))
        elif key == "materials":
            entry["items"] = [str(m) for m in value]
        else:
            entry["text"] = str(value)
        found.append(entry)
    return found


def _may_act(user: User, application: Application) -> bool:
    """The applicant, or a family member still authorised for the item, takes their actions."""
    if application.applicant_id == user.pk:
        return True
    return selectors.authorisation_active(
        grantor_id=application.applicant_id,
        grantee=user,
        item_id=application.item_id,
        today=timezone.localdate(),
    )


def _supplement_slot() -> Upload:
    return Upload(
        key=services.SUPPLEMENT_KEY,
        name_zh="补正材料",
        name_en="Materials asked for",
        types=["pdf", "jpeg", "png"],
        max_mb=10,
        max_files=SUPPLEMENT_MAX_FILES,
    )


def supplement_upload() -> UploadField:
    slot = _supplement_slot()
    return UploadField(
        slot=slot,
        name="upload_supplement",
        id="upload-supplement",
        label=_("Files"),
        label_lang="",
        accept=".pdf,application/pdf,.jpg,.jpeg,image/jpeg,.png,image/png",
        limits=upload_limits(slot),
    )


def _rating_form(data: Any = None, *, prefix: str = "rate") -> RatingForm:
    return RatingForm(data, prefix=prefix)


def rating_facts(rating: Rating) -> dict[str, Any]:
    tags = {**ratings.GOOD_TAGS, **ratings.POOR_TAGS}
    follow_up = getattr(rating, "follow_up", None)
    return {
        "rating": rating,
        "grade": Grade(rating.grade).label,
        "tags": [str(tags[t]) for t in rating.tags if t in tags],
        "follow_up": follow_up,
        "follow_up_state": follow_up.get_state_display() if follow_up else "",
    }


def _detail_context(request: HttpRequest, application: Application, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    view = presenting.application_view(
        application, roles={Actor.APPLICANT}, for_staff=False, viewer=user
    )
    may_act = _may_act(user, application)
    actions = {a.name for a in view.actions} if may_act else set()
    procedure = services.snapshot_procedure(application.workflow)
    slot_names = {u.key: label(u) for u in services.form_of(application.item).uploads}
    slot_names[services.SUPPLEMENT_KEY] = _("Handed in later")
    events = [{"event": e, "details": _details(e.details)} for e in view.events]
    asked = next(
        (
            e.details
            for e in reversed(view.events)
            if e.action != "supplement" and e.details.get("materials")
        ),
        {},
    )
    rating = getattr(application, "rating", None) if view.closed else None
    rateable = (
        view.closed
        and application.outcome != "withdrawn"
        and rating is None
        and application.applicant_id == user.pk
    )
    upload = forms.pop("upload", None) or supplement_upload()
    context: dict[str, Any] = {
        "view": view,
        "application": application,
        "procedure_title": label(procedure),
        "verified": [
            (prefill_labels()[key], masker(view.verified.get(key)))
            for key, masker in (
                ("name", mask_name),
                ("id_number", mask_id_number),
                ("phone", mask_phone),
            )
            if view.verified.get(key)
        ],
        "events": events,
        "materials": [
            {"material": m, "slot": slot_names.get(m.key, m.key)}
            for m in application.materials.all().order_by("uploaded_at")
        ],
        "outcome": outcome_labels().get(application.outcome, ""),
        "actions": actions,
        "asked": asked,
        "badges": _badges(application, user),
        "rating": rating_facts(rating) if rating is not None else None,
        "rateable": rateable,
        "supplement_form": forms.pop("supplement_form", None) or SupplementForm(),
        "upload": upload,
        "appeal_form": forms.pop("appeal_form", None) or ReasonForm(prefix="appeal"),
        "rating_form": forms.pop("rating_form", None) or _rating_form(),
        "action_error": forms.pop("action_error", ""),
    }
    return context


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def detail_page(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """One application: the step it is at, its history, and what the applicant can do now."""
    application = _mine(request, application_id)
    if request.method == "POST":
        return _detail_post(request, application)
    context = _detail_context(request, application)
    if request.GET.get("confirm") == "withdraw":
        if "withdraw" not in context["actions"]:
            return redirect("applications:detail", application_id=application.pk)
        return render(request, "applications/withdraw.html", context)
    return render(request, "applications/detail.html", context)


def _detail_post(request: HttpRequest, application: Application) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action", "")
    done = redirect("applications:detail", application_id=application.pk)
    if action == "rate":
        return _rate_application(request, application)
    view = presenting.application_view(
        application, roles={Actor.APPLICANT}, for_staff=False, viewer=user
    )
    if action not in {a.name for a in view.actions} or not _may_act(user, application):
        messages.error(
            request,
            _("This cannot be done at the application's present step. Here is where it is."),
        )
        return done
    if action == "supplement":
        return _supplement(request, application)
    given = services.ActionInput()
    forms: dict[str, Any] = {}
    if action == "appeal":
        appeal_form = ReasonForm(request.POST, prefix="appeal")
        forms["appeal_form"] = appeal_form
        if not appeal_form.is_valid():
            return _detail_again(request, application, **forms)
        given.reason = appeal_form.cleaned_data["reason"]
    elif action == "withdraw" and request.POST.get("confirmed") != "yes":
        return redirect(reverse("applications:detail", args=[application.pk]) + "?confirm=withdraw")
    try:
        services.application_act(
            actor=user, application_id=application.pk, action=action, given=given
        )
    except ApplicationError as error:
        if "appeal_form" in forms:
            forms["appeal_form"].add_application_error(error)
        else:
            forms["action_error"] = str(error.message)
        return _detail_again(request, application, status=_status(error), **forms)
    notes = {
        "withdraw": _("Your application is withdrawn."),
        "appeal": _("Your appeal is received. The application is reviewed again."),
    }
    messages.success(request, notes.get(action, _("Done.")))
    return done


def _detail_again(
    request: HttpRequest, application: Application, *, status: int = 400, **forms: Any
) -> HttpResponse:
    fresh = selectors.my_application_get(user=_user(request), application_id=application.pk)
    context = _detail_context(request, fresh, **forms)
    return render(request, "applications/detail.html", context, status=status)


def _supplement(request: HttpRequest, application: Application) -> HttpResponse:
    """补正: the files asked for and a note; the promised time runs again once handed in."""
    user = _user(request)
    owner = application.applicant
    uploaded_by = None if user.pk == owner.pk else user
    form = SupplementForm(request.POST)
    upload = supplement_upload()

    def store(file: UploadedFile[bytes], slot: str) -> Material:
        return services.supplement_material_upload(
            owner=owner, upload=file, application_id=application.pk, uploaded_by=uploaded_by
        )

    try:
        _attach_files(request, [upload], owner=owner, uploaded_by=uploaded_by, store=store)
    except ApplicationError as error:
        upload.error = str(error.message)
    if not form.is_valid() or upload.error:
        return _detail_again(request, application, supplement_form=form, upload=upload)
    try:
        services.application_act(
            actor=user,
            application_id=application.pk,
            action="supplement",
            given=services.ActionInput(
                material_ids=[m.pk for m in upload.attached],
                comment=form.cleaned_data["comment"],
            ),
        )
    except ApplicationError as error:
        form.add_application_error(error, aliases={"material_ids": "comment"})
        return _detail_again(
            request, application, status=_status(error), supplement_form=form, upload=upload
        )
    messages.success(request, _("Handed in. The clerk is told, and the promised time runs again."))
    return redirect("applications:detail", application_id=application.pk)


def _rate_application(request: HttpRequest, application: Application) -> HttpResponse:
    form = _rating_form(request.POST)
    if form.is_valid():
        try:
            ratings.rating_submit(
                rater=_user(request),
                grade=form.cleaned_data["grade"],
                tags=form.cleaned_data["tags"],
                comment=form.cleaned_data["comment"],
                application_id=application.pk,
            )
        except ApplicationError as error:
            form.add_application_error(error)
            return _detail_again(
                request,
                application,
                status=_status(error),
                rating_form=form,
                action_error="" if error.fields else str(error.message),
            )
        messages.success(request, _("Thank you for rating this service."))
        return redirect("applications:detail", application_id=application.pk)
    return _detail_again(request, application, rating_form=form)


@login_required
@require_GET
def material_view(request: HttpRequest, material_id: uuid.UUID) -> FileResponse:
    """A file, to the person it belongs to (or who uploaded it for them); the response says
    itself that it is private and not to be stored."""
    try:
        # A clerk's opening is recorded as an access to the applicant's data.
        material = services.material_open(
            user=_user(request),
            material_id=material_id,
            staff_verified=staff_session_valid(request),
        )
    except NotFound:
        raise Http404 from None
    return material_response(material)


# --- Ratings --------------------------------------------------------------------------------------


def _target(text: str) -> tuple[str, uuid.UUID] | None:
    kind, _sep, rest = text.partition(":")
    found = _uuid(rest)
    if kind not in ("visit", "application") or found is None:
        return None
    return kind, found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ratings_page(request: HttpRequest) -> HttpResponse:
    """My ratings and their follow-ups; visits and applications waiting for a rating."""
    user = _user(request)
    bound: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rate":
            response, bound, status = _rate_from_list(request, user)
        elif action in ("settle", "reopen"):
            response, bound, status = _follow_up_answer(request, user, action)
        else:
            raise Http404
        if response is not None:
            return response

    given = []
    for rating in selectors.my_ratings(user=user)[:50]:
        facts = rating_facts(rating)
        follow_up = facts["follow_up"]
        if follow_up is not None:
            prefix = f"reopen-{follow_up.pk}"
            facts["reopen_form"] = bound.get(prefix) or ReasonForm(prefix=prefix)
            facts["can_settle"] = follow_up.state == FollowUpState.ANSWERED
            facts["can_reopen"] = (
                follow_up.state == FollowUpState.ANSWERED and follow_up.reopened_at is None
            )
        given.append(facts)
    visits = [
        {
            "appointment": appointment,
            "target": f"visit:{appointment.pk}",
            "form": bound.get(f"visit-{appointment.pk}")
            or _rating_form(prefix=f"visit-{appointment.pk}"),
        }
        for appointment in selectors.visits_to_rate(user=user)[:20]
    ]
    applications = [
        {
            "application": application,
            "target": f"application:{application.pk}",
            "form": bound.get(f"application-{application.pk}")
            or _rating_form(prefix=f"application-{application.pk}"),
            "outcome": outcome_labels().get(application.outcome, ""),
        }
        for application in selectors.applications_to_rate(user=user)[:20]
    ]
    context = {"given": given, "visits": visits, "applications": applications}
    return render(request, "applications/ratings.html", context, status=status)


# What a POST to the ratings page did: a redirect when done, else the forms to show again.
_Handled = tuple[HttpResponse | None, dict[str, Any], int]


def _rate_from_list(request: HttpRequest, user: User) -> _Handled:
    target = _target(request.POST.get("target", ""))
    if target is None:
        raise Http404
    kind, target_id = target
    prefix = f"{kind}-{target_id}"
    form = _rating_form(request.POST, prefix=prefix)
    if not form.is_valid():
        return None, {prefix: form}, 400
    try:
        ratings.rating_submit(
            rater=user,
            grade=form.cleaned_data["grade"],
            tags=form.cleaned_data["tags"],
            comment=form.cleaned_data["comment"],
            application_id=target_id if kind == "application" else None,
            appointment_id=target_id if kind == "visit" else None,
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        form.add_application_error(error)
        return None, {prefix: form}, _status(error)
    messages.success(request, _("Thank you for rating this service."))
    return redirect("applications:ratings"), {}, 302


def _follow_up_answer(request: HttpRequest, user: User, action: str) -> _Handled:
    """ "Settled" closes a follow-up; "reopen" (once) asks the department to answer again."""
    follow_up_id = _small_id(request.POST.get("follow_up", ""))
    if follow_up_id is None:
        raise Http404
    prefix = f"reopen-{follow_up_id}"
    form = ReasonForm(request.POST if action == "reopen" else None, prefix=prefix)
    try:
        if action == "settle":
            ratings.follow_up_accept(rater=user, follow_up_id=follow_up_id)
            messages.success(request, _("Thank you. The follow-up is closed."))
            return redirect("applications:ratings"), {}, 302
        if not form.is_valid():
            return None, {prefix: form}, 400
        ratings.follow_up_reopen(
            rater=user, follow_up_id=follow_up_id, reason=form.cleaned_data["reason"]
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        form.add_application_error(error)
        return None, {prefix: form}, _status(error)
    messages.success(request, _("The follow-up is reopened. The department answers again."))
    return redirect("applications:ratings"), {}, 302


def _small_id(text: str) -> int | None:
    from citygate.core.validation import small_positive_int

    return small_positive_int(text, maximum=2**31 - 1)


# --- Family authorisations ----------------------------------------------------------------------


def _item_choices(user: User) -> list[tuple[str, Any]]:
    """Items that can be applied for online: the person's own first, then all, by department."""
    online = list(
        published_items()
        .filter(can_apply_online=True)
        .select_related("department")
        .order_by("department__code", "name_zh")
    )
    own_ids = set(
        selectors.my_applications(user=user)
        .order_by()
        .values_list("item_id", flat=True)
        .distinct()[:50]
    )
    by_department: dict[str, list[tuple[str, str]]] = {}
    own: list[tuple[str, str]] = []
    for item in online:
        entry = (item.code, item.display_name)
        if item.pk in own_ids:
            own.append(entry)
        else:
            by_department.setdefault(item.department.display_name, []).append(entry)
    choices: list[tuple[str, Any]] = []
    if own:
        choices.append((_("Services you applied for before"), sorted(own, key=lambda e: e[1])))
    choices.extend(
        (department, sorted(entries, key=lambda e: e[1]))
        for department, entries in by_department.items()
    )
    return choices


def _authorisation_rows(user: User) -> list[dict[str, Any]]:
    today = timezone.localdate()
    relations = relation_labels()
    rows = []
    for authorisation in selectors.authorisations_given(user=user)[:50]:
        if authorisation.revoked_at is not None:
            state = _("Revoked")
        elif authorisation.valid_until < today:
            state = _("Expired")
        else:
            state = ""
        rows.append(
            {
                "authorisation": authorisation,
                # By the number the person typed, not the holder's name: granting must not
                # tell anyone whose a number is.
                "phone": mask_phone(authorisation.grantee.phone),
                "relation": relations.get(authorisation.relation, authorisation.relation),
                "items": list(authorisation.items.all()),
                "state": state,
            }
        )
    return rows


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def authorisations_page(request: HttpRequest) -> HttpResponse:
    """Let a family member apply for me; revoke it; and whom I may apply for."""
    user = _user(request)
    choices = _item_choices(user)
    today = timezone.localdate()
    form = AuthorisationForm(
        initial={"valid_until": today + timedelta(days=180)}, items=choices, prefix="grant"
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "revoke":
            authorisation_id = _uuid(request.POST.get("authorisation"))
            try:
                if authorisation_id is None:
                    raise NotFound()
                assisted.authorisation_revoke(grantor=user, authorisation_id=authorisation_id)
            except NotFound:
                raise Http404 from None
            messages.success(request, _("The authorisation is revoked."))
            return redirect("applications:authorisations")
        if action != "grant":
            raise Http404
        form = AuthorisationForm(request.POST, items=choices, prefix="grant")
        if form.is_valid():
            try:
                assisted.authorisation_grant(
                    grantor=user,
                    grantee_phone=form.cleaned_data["grantee_phone"],
                    item_codes=form.cleaned_data["item_codes"],
                    relation=form.cleaned_data["relation"],
                    valid_until=form.cleaned_data["valid_until"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
                status = _status(error)
            else:
                messages.success(
                    request, _("Done. Your family member can now apply for you for these services.")
                )
                return redirect("applications:authorisations")
        else:
            status = 400
    held = [
        {
            "authorisation": authorisation,
            "name": mask_name(authorisation.grantor.name),
            "items": sorted(authorisation.items.all(), key=lambda i: i.display_name),
        }
        for authorisation in selectors.authorisations_held(user=user, today=today)
    ]
    context = {
        "form": form,
        "given": _authorisation_rows(user),
        "held": held,
        "verified": user.is_real_name_verified,
    }
    return render(request, "applications/authorisations.html", context, status=status)


# --- Public figures -------------------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@require_GET
def performance_page(request: HttpRequest) -> HttpResponse:
    """Each department's kept promises and ratings over the last year, for everyone."""
    since = timezone.localdate() - timedelta(days=365)
    rows = [
        {
            "record": record,
            "on_time": _share(record.on_time_rate),
            "satisfied": _share(record.satisfaction_rate),
            "average": "—" if record.average_days is None else f"{record.average_days:.1f}",
        }
        for record in selectors.department_records(since=since)
    ]
    return render(request, "applications/performance.html", {"rows": rows, "since": since})
