"""Reads of applications, every one scoped to who asks.

Staff see the applications of the departments in which they are clerks or administrators, and
nothing else: every staff read starts from `staff_applications`, and an application outside it
is not found (not forbidden, which would say that it exists). People see their own
applications, and those a family member they act for made them see (`Authorisation`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.applications.models import (
    Application,
    Authorisation,
    FollowUp,
    FollowUpState,
    Material,
    Phase,
    Rating,
)
from citygate.core.errors import NotFound
from citygate.directory.models import Department


def staff_department_ids(*, user: User) -> set[int]:
    """Departments whose applications this staff member handles (clerks and administrators)."""
    return {
        role.department_id
        for role in user.staff_roles.all()
        if role.department_id is not None and role.role in {Role.CLERK, Role.DEPARTMENT_ADMIN}
    }


def admin_department_ids(*, user: User) -> set[int]:
    return {
        role.department_id
        for role in user.staff_roles.all()
        if role.department_id is not None and role.role == Role.DEPARTMENT_ADMIN
    }


def staff_applications(*, user: User) -> QuerySet[Application]:
    return Application.objects.filter(department_id__in=staff_department_ids(user=user))


def staff_application_get(*, user: User, application_id: uuid.UUID) -> Application:
    found = (
        staff_applications(user=user)
        .select_related("item", "department", "applicant", "assignee", "workflow", "centre")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


class Queue:
    NEW = "new"
    DUE_SOON = "due_soon"
    LATE = "late"
    WAITING = "waiting"
    MINE = "mine"
    OPEN = "open"
    CLOSED = "closed"
    ALL = (NEW, DUE_SOON, LATE, WAITING, MINE, OPEN, CLOSED)


def staff_queue(*, user: User, queue: str, today: date) -> QuerySet[Application]:
    """One of the workbench's queues, soonest due first; the same few queries at any size."""
    found = staff_applications(user=user)
    if queue == Queue.NEW:
        found = found.filter(stage="accept", phase=Phase.RUNNING).order_by("submitted_at")
    elif queue == Queue.DUE_SOON:
        found = found.filter(phase=Phase.RUNNING, warn_on__lte=today, due_on__gte=today)
        found = found.order_by("due_on", "submitted_at")
    elif queue == Queue.LATE:
        found = found.filter(phase=Phase.RUNNING, due_on__lt=today).order_by("due_on")
    elif queue == Queue.WAITING:
        found = found.filter(phase=Phase.PAUSED).order_by("paused_since")
    elif queue == Queue.MINE:
        found = found.filter(assignee=user, phase__in=OPEN_PHASES).order_by("due_on")
    elif queue == Queue.CLOSED:
        found = found.filter(phase=Phase.STOPPED).order_by("-closed_at")
    else:
        found = found.filter(phase__in=OPEN_PHASES).order_by("due_on", "submitted_at")
    # A row shows the number, the item's name, the masked applicant and the assignee: the
    # answers, the guide and the people's other personal fields are not read (nor decrypted).
    return found.select_related("item", "department", "applicant", "assignee").defer(
        "answers",
        "item__content",
        "item__search_terms",
        *(f"{person}__{name}" for person in ("applicant", "assignee") for name in _PERSON_HEAVY),
        "assignee__name",
    )


_PERSON_HEAVY = ("phone", "phone_index", "id_number", "id_number_index", "totp_secret", "password")
# The phases of applications still being handled (in a queue).
OPEN_PHASES = (Phase.RUNNING, Phase.PAUSED)


def queue_rows(found: QuerySet[Application], ids: Sequence[uuid.UUID]) -> list[Application]:
    """The rows of one page of a queue, in the page's order.

    A page's ids are chosen first from the applications alone (``found.values_list("pk")``
    sliced: a narrow sort), and only those rows are then read with their item and people; in
    one query the database would join every row of a queue before sorting and cutting it
    (13 ms instead of 2 at 100k applications, 4,000 of them open).
    """
    by_id = found.in_bulk(list(ids))
    return [by_id[pk] for pk in ids if pk in by_id]


def queue_counts(*, user: User, today: date) -> dict[str, int]:
    """How many applications each open queue holds, in one query (counting a column of the
    covering index app_queue_counts: the counts are read from it alone, not from the table)."""
    counts = (
        staff_applications(user=user)
        .filter(phase__in=OPEN_PHASES)
        .aggregate(
            new=Count("department", filter=Q(stage="accept", phase=Phase.RUNNING)),
            due_soon=Count(
                "department", filter=Q(phase=Phase.RUNNING, warn_on__lte=today, due_on__gte=today)
            ),
            late=Count("department", filter=Q(phase=Phase.RUNNING, due_on__lt=today)),
            waiting=Count("department", filter=Q(phase=Phase.PAUSED)),
            mine=Count("department", filter=Q(assignee=user)),
            open=Count("department"),
        )
    )
    return {key: int(value or 0) for key, value in counts.items()}


def department_clerks(*, department_id: int) -> QuerySet[User]:
    return User.objects.filter(
        staff_roles__department_id=department_id, staff_roles__role=Role.CLERK, is_active=True
    ).distinct()


def department_admins(*, department_id: int) -> QuerySet[User]:
    return User.objects.filter(
        staff_roles__department_id=department_id,
        staff_roles__role=Role.DEPARTMENT_ADMIN,
        is_active=True,
    ).distinct()


# --- People's own ------------------------------------------------------------------------------


def authorisation_active(
    *, grantor_id: uuid.UUID, grantee: User, item_id: int, today: date
) -> bool:
    return Authorisation.objects.filter(
        grantor_id=grantor_id,
        grantee=grantee,
        items__pk=item_id,
        revoked_at=None,
        valid_until__gte=today,
    ).exists()


def authorisations_held(*, user: User, today: date) -> QuerySet[Authorisation]:
    return (
        Authorisation.objects.filter(grantee=user, revoked_at=None, valid_until__gte=today)
        .select_related("grantor")
        .prefetch_related("items")
    )


def authorisations_given(*, user: User) -> QuerySet[Authorisation]:
    return (
        Authorisation.objects.filter(grantor=user)
        .select_related("grantee")
        .prefetch_related("items")
        .order_by("-created_at")
    )


def my_applications(*, user: User) -> QuerySet[Application]:
    """The person's applications, and those they made for someone who still authorises them
    for that item (a revoked or ended authorisation ends the view too)."""
    authorised = Authorisation.objects.filter(
        grantor=OuterRef("applicant"),
        grantee=user,
        items=OuterRef("item"),
        revoked_at=None,
        valid_until__gte=timezone.localdate(),
    )
    return (
        Application.objects.filter(
            Q(applicant=user) | Q(Exists(authorised), submitted_by=user, channel="family")
        )
        .select_related("item", "department", "centre")
        .order_by("-submitted_at", "-number")
    )


def my_application_get(*, user: User, application_id: uuid.UUID) -> Application:
    found = (
        my_applications(user=user)
        .select_related("workflow", "applicant", "submitted_by")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def pending_materials(
    *, owner: User, uploaded_by: User | None, ids: list[uuid.UUID]
) -> QuerySet[Material]:
    """Files uploaded but not yet handed in, by this uploader for this owner (a form being
    filled in keeps them across a page that had errors)."""
    found = Material.objects.filter(pk__in=ids, owner=owner, application=None)
    if uploaded_by is None or uploaded_by.pk == owner.pk:
        return found.filter(uploaded_by=None)
    return found.filter(uploaded_by=uploaded_by)


def application_by_key(*, applicant: User, idempotency_key: str) -> Application | None:
    """The application a form with this key already made, if it made one."""
    return Application.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()


def material_visible(*, user: User, material_id: uuid.UUID, staff_verified: bool) -> Material:
    """A material its owner may see; the one who uploaded it for the owner while it is not yet
    handed in; or, in a staff session past the TOTP step, a clerk of the department it was
    handed to. Anyone else: not found."""
    material = Material.objects.select_related("application").filter(pk=material_id).first()
    if material is None:
        raise NotFound()
    if material.owner_id == user.pk:
        return material
    application = material.application
    if application is None:
        if material.uploaded_by_id == user.pk:
            return material
        raise NotFound()
    if staff_verified and application.department_id in staff_department_ids(user=user):
        return material
    raise NotFound()


# --- Public figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRecord:
    department: Department
    closed: int
    on_time: int
    average_days: float | None
    ratings: int
    satisfied: int
    follow_ups: int
    follow_ups_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


def department_records(*, since: date) -> list[DepartmentRecord]:
    """Each department's kept promises and ratings since a day; three queries in all."""
    closed = (
        Application.objects.filter(phase=Phase.STOPPED, closed_at__date__gte=since)
        .exclude(outcome="withdrawn")
        .values("department_id")
        .annotate(
            closed=Count("pk"),
            on_time=Count("pk", filter=Q(late=False)),
            average=Avg("handling_days"),
        )
    )
    ratings = (
        Rating.objects.filter(created_at__date__gte=since)
        .values("department_id")
        .annotate(ratings=Count("pk"), satisfied=Count("pk", filter=Q(grade__gte=3)))
    )
    follow_ups = (
        FollowUp.objects.filter(created_at__date__gte=since)
        .values("department_id")
        .annotate(
            total=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(state__in=(FollowUpState.ANSWERED, FollowUpState.CLOSED), late=False),
            ),
        )
    )
    by_department: dict[int, dict[str, Any]] = {}
    for row in closed:
        by_department.setdefault(row["department_id"], {}).update(
            closed=row["closed"], on_time=row["on_time"], average=row["average"]
        )
    for rated in ratings:
        by_department.setdefault(rated["department_id"], {}).update(
            ratings=rated["ratings"], satisfied=rated["satisfied"]
        )
    for followed in follow_ups:
        by_department.setdefault(followed["department_id"], {}).update(
            follow_ups=followed["total"], follow_ups_on_time=followed["on_time"]
        )
    departments = Department.objects.in_bulk(list(by_department))
    records = [
        DepartmentRecord(
            department=departments[pk],
            closed=int(values.get("closed") or 0),
            on_time=int(values.get("on_time") or 0),
            average_days=(
                round(float(values["average"]), 1) if values.get("average") is not None else None
            ),
            ratings=int(values.get("ratings") or 0),
            satisfied=int(values.get("satisfied") or 0),
            follow_ups=int(values.get("follow_ups") or 0),
            follow_ups_on_time=int(values.get("follow_ups_on_time") or 0),
        )
        for pk, values in by_department.items()
        if pk in departments
    ]
    return sorted(records, key=lambda r: (-(r.on_time_rate or 0), -r.closed, r.department.code))


# --- Ratings ------------------------------------------------------------------------------------


def my_ratings(*, user: User) -> QuerySet[Rating]:
    """The person's ratings with their follow-ups, newest first."""
    return (
        Rating.objects.filter(rater=user)
        .select_related("item", "follow_up", "application", "appointment")
        .order_by("-created_at")
    )


def visits_to_rate(*, user: User) -> QuerySet[Any]:
    """Hall visits the person checked in for and has not rated yet."""
    from citygate.halls.models import Appointment, AppointmentState

    return (
        Appointment.objects.filter(
            user=user,
            state__in=(AppointmentState.CHECKED_IN, AppointmentState.DONE),
            rating__isnull=True,
        )
        .select_related("item", "hall")
        .order_by("-date")
    )


def applications_to_rate(*, user: User) -> QuerySet[Application]:
    """Closed applications of the person's own (not withdrawn) without a rating."""
    return (
        Application.objects.filter(applicant=user, phase=Phase.STOPPED, rating__isnull=True)
        .exclude(outcome="withdrawn")
        .select_related("item")
        .order_by("-closed_at")
    )


def staff_follow_ups(*, user: User, open_only: bool = True) -> QuerySet[FollowUp]:
    """Follow-ups of poor ratings in the staff member's departments, soonest due first."""
    found = FollowUp.objects.filter(department_id__in=staff_department_ids(user=user))
    if open_only:
        found = found.filter(state__in=(FollowUpState.OPEN, FollowUpState.REOPENED))
    return found.select_related("rating__item", "department").order_by("due_on", "pk")
