"""How an application reads, for the API and the pages alike: its state and step, its due
date, its history in words, and the actions the reader may take now.

Applicants see everything said to them (reasons, legal basis, results, materials asked for).
Staff see the applicant masked (`privacy.masking`); the answers a form marks personal are
masked too until revealed with a purpose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from citygate.accounts.models import User
from citygate.applications.forms_spec import answer_display, item_form, label
from citygate.applications.models import Application, ApplicationEvent, Phase
from citygate.applications.services import entered_by, snapshot_procedure
from citygate.applications.workflow import Action, Actor, Clock
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone

STAGES = ("apply", "accept", "review", "decide", "done")


def stage_labels() -> dict[str, str]:
    return {
        "apply": _("Applied"),
        "accept": _("Acceptance"),
        "review": _("Review"),
        "decide": _("Decision"),
        "done": _("Completed"),
    }


def role_labels() -> dict[str, str]:
    return {
        "applicant": _("You"),
        "family": _("Your authorised family member"),
        "centre": _("Service centre, for you"),
        "clerk": _("Clerk"),
        "department_admin": _("Department administrator"),
        "system": _("CityGate"),
    }


def event_labels() -> dict[str, str]:
    return {
        # The event in the history ("提交申请"), not the time it happened ("提交时间").
        "submit": pgettext("application event", "Submitted"),
        "claim": _("Taken by a clerk"),
        "assign": _("Assigned to a clerk"),
        "escalate": _("Past the promised time: escalated"),
    }


@dataclass
class EventView:
    seq: int
    action: str
    label: str
    state_label: str
    actor_role: str
    actor_label: str
    at: Any
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionView:
    name: str
    label: str
    tone: str
    requires: list[str]


@dataclass
class AnswerView:
    name: str
    label: str
    value: str


@dataclass
class ApplicationView:
    application: Application
    state_label: str
    stage: str
    stages: list[tuple[str, str, str]]  # (stage, label, "done" | "current" | "todo")
    phase: str
    paused: bool
    closed: bool
    due_on: date
    days_left: int | None
    events: list[EventView]
    actions: list[ActionView]
    answers: list[AnswerView]
    verified: dict[str, str]


def _event_view(
    event: ApplicationEvent, states: dict[str, str], actions: dict[str, str]
) -> EventView:
    details: dict[str, Any] = json.loads(event.details) if event.details else {}
    return EventView(
        seq=event.seq,
        action=event.action,
        label=event_labels().get(event.action) or actions.get(event.action, event.action),
        state_label=states.get(event.to_state, event.to_state),
        actor_role=event.actor_role,
        actor_label=role_labels().get(event.actor_role, event.actor_role),
        at=event.created_at,
        details=details,
    )


def _stages(current: str) -> list[tuple[str, str, str]]:
    labels = stage_labels()
    index = STAGES.index(current) if current in STAGES else 0
    return [
        (stage, labels[stage], "done" if i < index else "current" if i == index else "todo")
        for i, stage in enumerate(STAGES)
    ]


def available_actions(
    application: Application, roles: set[Actor], viewer: User | None = None
) -> list[Action]:
    """The actions the viewer may take now (a second person's step is not offered to the
    person who brought the application to it)."""
    procedure = snapshot_procedure(application.workflow)
    today = timezone.localdate()
    found = []
    brought_by: object = ...
    for action in procedure.workflow.state(application.state).actions:
        if not roles.intersection(action.roles):
            continue
        if action.four_eyes and viewer is not None:
            if brought_by is ...:
                brought_by = entered_by(application)
            if brought_by == viewer.pk:
                continue
        if action.within_days is not None:
            entered = timezone.localdate(application.state_entered_at)
            if (today - entered).days > action.within_days:
                continue
            if application.appeals >= 1:
                continue
        found.append(action)
    return found


def staff_roles_on(user: User, application: Application) -> set[Actor]:
    roles: set[Actor] = set()
    if user.pk in (application.applicant_id, application.submitted_by_id):
        # As services._actor_roles: nobody handles their own application as staff.
        return roles
    for role in user.staff_roles.all():
        if role.department_id == application.department_id:
            if role.role == "clerk":
                roles.add(Actor.CLERK)
            elif role.role == "department_admin":
                roles.add(Actor.DEPARTMENT_ADMIN)
    return roles


def application_view(
    application: Application, *, roles: set[Actor], for_staff: bool, viewer: User | None = None
) -> ApplicationView:
    procedure = snapshot_procedure(application.workflow)
    workflow = procedure.workflow
    states = {name: label(state) for name, state in workflow.states.items()}
    action_labels = {a.name: label(a) for s in workflow.states.values() for a in s.actions}
    state = workflow.state(application.state)
    events = [_event_view(e, states, action_labels) for e in application.events.all()]
    if not for_staff:
        for event in events:
            if event.actor_role == "department_admin":
                event.actor_label = role_labels()["clerk"]
    today = timezone.localdate()
    days_left = None
    if application.phase == Phase.RUNNING:
        from citygate.workdays.selectors import working_days_between

        days_left = (
            working_days_between(today, application.due_on)
            if application.due_on >= today
            else -working_days_between(application.due_on, today)
        )
    stored = json.loads(application.answers or "{}")
    form = item_form(procedure, application.item.guide)
    answers = []
    for spec in form.fields:
        if spec.name not in stored.get("fields", {}):
            continue
        value = answer_display(spec, stored["fields"][spec.name])
        if for_staff and spec.personal:
            value = _mask_text(value)
        answers.append(AnswerView(name=spec.name, label=label(spec), value=value))
    verified = dict(stored.get("verified", {}))
    if for_staff or (viewer is not None and viewer.pk != application.applicant_id):
        # Staff, and a family member acting for the applicant, see the person masked; an
        # enterprise's name and credit code are not personal and stay whole.
        verified = {
            "name": mask_name(verified.get("name")),
            "id_number": mask_id_number(verified.get("id_number")),
            "phone": mask_phone(verified.get("phone")),
            "enterprise": verified.get("enterprise", ""),
            "credit_code": verified.get("credit_code", ""),
        }
        verified = {k: v for k, v in verified.items() if v}
    return ApplicationView(
        application=application,
        state_label=states[application.state],
        stage=state.stage,
        stages=_stages(state.stage),
        phase=application.phase,
        paused=state.clock == Clock.PAUSED,
        closed=state.clock == Clock.STOPPED,
        due_on=application.due_on,
        days_left=days_left,
        events=events,
        actions=[
            ActionView(
                name=a.name, label=label(a), tone=a.tone, requires=[r.value for r in a.requires]
            )
            for a in available_actions(application, roles, viewer)
        ],
        answers=answers,
        verified=verified,
    )


def _mask_text(value: str) -> str:
    """A personal answer on the staff screen: its first two characters and stars."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[:2] + "*" * min(8, len(value) - 2)
