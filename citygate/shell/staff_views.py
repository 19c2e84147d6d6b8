"""The staff home (/staff/): the tools a member of staff's roles open, with what waits in each.

Staff land here after the TOTP step. Each tool is shown only to the roles that may use it; the
counts are the staff member's own queues (their departments' applications and follow-ups,
the revisions waiting for their review).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from citygate.accounts.decorators import staff_required
from citygate.accounts.models import User
from citygate.accounts.roles import Role


@dataclass(frozen=True)
class Tool:
    title: str
    text: str
    url: str
    # What waits there for this person ("12 new applications"), if anything.
    waiting: str = ""


def _tools(user: User) -> list[Tool]:
    from citygate.applications import selectors as applications
    from citygate.catalog import selectors as catalog
    from citygate.halls.models import HallStaff
    from citygate.news.selectors import newsroom_tool

    roles = {role.role for role in user.staff_roles.all()}
    handles = bool(roles & {Role.CLERK, Role.DEPARTMENT_ADMIN})
    tools: list[Tool] = []
    if handles:
        counts = applications.queue_counts(user=user, today=timezone.localdate())
        waiting = []
        if counts["new"]:
            waiting.append(_("%(count)d new") % {"count": counts["new"]})
        if counts["due_soon"]:
            waiting.append(_("%(count)d due soon") % {"count": counts["due_soon"]})
        if counts["late"]:
            waiting.append(_("%(count)d late") % {"count": counts["late"]})
        tools.append(
            Tool(
                _("Applications"),
                _("Your departments' applications: accept, review, decide."),
                reverse("applications:staff_queue"),
                " · ".join(waiting),
            )
        )
        follow_ups = applications.staff_follow_ups(user=user).count()
        tools.append(
            Tool(
                _("Poor ratings to follow up"),
                _("Answer residents who were not satisfied, within the deadline."),
                reverse("applications:staff_follow_ups"),
                _("%(count)d open") % {"count": follow_ups} if follow_ups else "",
            )
        )
    if HallStaff.objects.filter(user=user).exists():
        tools.append(
            Tool(
                _("Hall appointments"),
                _("Today's appointments at your halls: check people in."),
                reverse("halls:staff_halls"),
            )
        )
        tools.append(
            Tool(
                _("Apply for a resident"),
                _("Apply on behalf of someone at the counter, with their consent."),
                reverse("applications:staff_assisted"),
            )
        )
    if handles:
        reviews = catalog.staff_review_count(user=user)
        tools.append(
            Tool(
                _("Service catalogue"),
                _("Your departments' service items: edit, submit, review, import."),
                reverse("catalog_staff:list"),
                _("%(count)d to review") % {"count": reviews} if reviews else "",
            )
        )
        tools.append(
            Tool(
                _("Find a person"),
                _("Find someone by mobile or ID number, with a stated purpose."),
                reverse("privacy:staff_people"),
            )
        )
    if Role.EDITOR in roles:
        tools.append(Tool(*newsroom_tool(user=user)))
    if Role.OPERATOR in roles:
        tools.append(
            Tool(
                _("Working-day calendar"),
                _("Official holidays and exchanged working days."),
                reverse("workdays:calendar"),
            )
        )
        tools.append(
            Tool(
                _("Searches that found nothing"),
                _("What residents typed in vain: wordings to add as aliases."),
                reverse("catalog_staff:misses"),
            )
        )
    if roles & {Role.EDITOR, Role.OPERATOR}:
        from citygate.campaigns.selectors import awaiting_approval_for

        awaiting = len(awaiting_approval_for(user=user))
        tools.append(
            Tool(
                _("Campaigns"),
                _("Send a story or a notice to the people it concerns."),
                reverse("campaigns_staff:list"),
                _("%(count)d to approve") % {"count": awaiting} if awaiting else "",
            )
        )
    if Role.AUDITOR in roles or Role.OPERATOR in roles:
        tools.append(
            Tool(
                _("Access to personal data"),
                _("Who saw whose data, when and why."),
                reverse("privacy:staff_audit"),
            )
        )
    return tools


@never_cache
@staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    return render(request, "shell/staff_home.html", {"tools": _tools(user)})
