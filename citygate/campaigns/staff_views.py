"""The campaign desk (/staff/campaigns/): write a campaign, see its audience before it goes,
have a second person approve it, schedule or cancel it, and read its results."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User, VerificationLevel
from citygate.campaigns import segments, selectors, services
from citygate.campaigns.forms import CampaignForm, initial_from
from citygate.campaigns.models import Campaign, CampaignState
from citygate.core.errors import ApplicationError
from citygate.directory.models import District, Street
from citygate.inbox.models import Channel, DeliveryState
from citygate.news.models import NewsTag

LIST_SIZE = 100
ACTIONS = {
    "submit": services.campaign_submit,
    "approve": services.campaign_approve,
    "return": services.campaign_return,
    "cancel": services.campaign_cancel,
}


def _campaigner(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    prefetch_related_objects([user], "staff_roles")
    if not {role.role for role in user.staff_roles.all()} & services.CAMPAIGN_ROLES:
        raise Http404
    return user


def _campaign(campaign_id: uuid.UUID) -> Campaign:
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    if campaign is None:
        raise Http404
    return campaign


def state_label(state: str) -> str:
    if state in DeliveryState.values:
        return str(DeliveryState(state).label)
    return state


@dataclass(frozen=True)
class Criterion:
    label: str
    values: list[str]


def describe_segment(campaign: Campaign) -> list[Criterion]:
    """The segment in words, one line per criterion chosen ("everyone" when none is)."""
    segment = selectors.segment_of(campaign)
    found: list[Criterion] = []
    if segment.districts:
        names = {
            d.code: d.display_name for d in District.objects.filter(code__in=segment.districts)
        }
        found.append(Criterion(_("Districts"), [names.get(c, c) for c in segment.districts]))
    if segment.streets:
        names = {
            s.code: f"{s.display_name} ({s.district.display_name})"
            for s in Street.objects.filter(code__in=segment.streets).select_related("district")
        }
        found.append(Criterion(_("Streets and towns"), [names.get(c, c) for c in segment.streets]))
    if segment.roles:
        found.append(Criterion(_("Who"), [str(segments.ROLES[r]) for r in segment.roles]))
    if segment.age_bands:
        labels = [str(segments.AGE_BAND_LABELS[b]) for b in segment.age_bands]
        found.append(Criterion(_("Age"), labels))
    if segment.languages:
        labels = [str(segments.LANGUAGES[code]) for code in segment.languages]
        found.append(Criterion(_("Language"), labels))
    if segment.tags:
        names = {t.slug: t.display_name for t in NewsTag.objects.filter(slug__in=segment.tags)}
        found.append(Criterion(_("Following"), [names.get(s, s) for s in segment.tags]))
    if segment.min_level > VerificationLevel.PHONE:
        level = str(VerificationLevel(segment.min_level).label)
        found.append(Criterion(_("Verified at least"), [level]))
    return found


@never_cache
@staff_required
@require_GET
def campaign_list_page(request: HttpRequest) -> HttpResponse:
    _campaigner(request)
    state = request.GET.get("state", "")
    if state not in CampaignState.values:
        state = ""
    rows = list(selectors.campaign_list(state=state)[:LIST_SIZE])
    context = {"rows": rows, "state": state, "states": CampaignState.choices}
    return render(request, "campaigns/staff/list.html", context)


def _edit(request: HttpRequest, user: User, campaign: Campaign | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = initial_from(campaign) if campaign is not None else {"kind": "news"}
    form = CampaignForm(data, initial=initial)
    audience: int | None = None
    status = 200
    if data is not None:
        action = request.POST.get("action", "save")
        if form.is_valid():
            values = form.service_data()
            try:
                if action == "preview":
                    segment = segments.segment_from(values["segment"])  # type: ignore[arg-type]
                    audience = selectors.audience_size(segment=segment)
                else:
                    if campaign is None:
                        saved = services.campaign_create(by=user, data=values)
                    else:
                        saved = services.campaign_update(
                            by=user, campaign_id=campaign.pk, data=values
                        )
                    if action == "submit":
                        services.campaign_submit(by=user, campaign_id=saved.pk)
                        messages.success(request, _("Saved and put up for approval."))
                    else:
                        messages.success(request, _("Saved as a draft."))
                    return redirect("campaigns_staff:detail", campaign_id=saved.pk)
            except ApplicationError as error:
                # A preview's errors name the segment's fields as the form does ("districts");
                # a save's name them under "segment." and the form's aliases place them.
                form.add_application_error(error)
        if form.errors:
            status = 400
    context = {"form": form, "campaign": campaign, "audience": audience}
    return render(request, "campaigns/staff/edit.html", context, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def campaign_create_page(request: HttpRequest) -> HttpResponse:
    return _edit(request, _campaigner(request), None)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def campaign_edit_page(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    user = _campaigner(request)
    campaign = _campaign(campaign_id)
    if campaign.state != CampaignState.DRAFT:
        return redirect("campaigns_staff:detail", campaign_id=campaign.pk)
    return _edit(request, user, campaign)


def _render_detail(
    request: HttpRequest, user: User, campaign: Campaign, *, problem: str = "", status: int = 200
) -> HttpResponse:
    sent = campaign.state == CampaignState.SENT
    results = selectors.results(campaign=campaign) if sent else None
    channel_rows = [
        {"channel": Channel(channel).label, "state": state_label(state), "count": count}
        for channel, states in (results.by_channel.items() if results else ())
        for state, count in states.items()
    ]
    context = {
        "campaign": campaign,
        "criteria": describe_segment(campaign),
        "audience_now": None
        if sent or campaign.state == CampaignState.CANCELLED
        else selectors.audience_size(segment=selectors.segment_of(campaign)),
        "results": results,
        "channel_rows": channel_rows,
        "may_approve": campaign.state == CampaignState.AWAITING_APPROVAL
        and not selectors.wrote_or_submitted(campaign, user),
        "problem": problem,
    }
    return render(request, "campaigns/staff/detail.html", context, status=status)


@never_cache
@staff_required
@require_GET
def campaign_detail_page(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    user = _campaigner(request)
    return _render_detail(request, user, _campaign(campaign_id))


@never_cache
@staff_required
@require_POST
def campaign_action_view(request: HttpRequest, campaign_id: uuid.UUID, action: str) -> HttpResponse:
    user = _campaigner(request)
    campaign = _campaign(campaign_id)
    act = ACTIONS.get(action)
    if act is None:
        raise Http404
    try:
        act(by=user, campaign_id=campaign.pk)
    except ApplicationError as error:
        campaign = _campaign(campaign_id)
        return _render_detail(
            request, user, campaign, problem=str(error.message), status=error.status
        )
    done = {
        "submit": _("Put up for approval."),
        "approve": _("Approved."),
        "return": _("Returned to its draft."),
        "cancel": _("Cancelled."),
    }
    messages.success(request, done[action])
    return redirect("campaigns_staff:detail", campaign_id=campaign.pk)
