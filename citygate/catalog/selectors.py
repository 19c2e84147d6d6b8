"""Reads of the catalogue. Residents see published items only; staff see their departments'."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.catalog.models import (
    LOCAL_STATE,
    STATE_CACHE_KEY,
    CatalogState,
    ItemRevision,
    ItemStatus,
    LifeEvent,
    RevisionState,
    SearchMiss,
    ServiceItem,
)

# How long a server process trusts its cached copy of the catalogue's state token. With a
# shared cache (Redis) a change is seen at once; with the local-memory cache other processes
# on the same machine see it within this time.
STATE_CACHE_SECONDS = 2
# And how long it keeps the token in its own memory before asking the cache again: every
# search asks, and a trip to a shared cache costs more than the search.
STATE_LOCAL_SECONDS = 1.0


def catalogue_version() -> str:
    """The catalogue's state token: changes with every publication or withdrawal."""
    database = str(connection.settings_dict.get("NAME") or "")
    now = time.monotonic()
    held = LOCAL_STATE.get(database)
    if held is not None and held[0] > now:
        return held[1]
    token = cache.get(STATE_CACHE_KEY)
    if token is None:
        token = CatalogState.current()
        cache.set(STATE_CACHE_KEY, token, STATE_CACHE_SECONDS)
    LOCAL_STATE[database] = (now + STATE_LOCAL_SECONDS, str(token))
    return str(token)


# Below this many counts a missed query is not shown to operators: a query typed once may be
# a name or something else personal, while one typed by several people is a wording to learn.
MISS_REPORT_THRESHOLD = 3


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related(
        "department", "district"
    )


def item_get_public(*, code: str) -> ServiceItem | None:
    """A published or withdrawn item (a withdrawn guide stays readable, marked as such)."""
    return (
        ServiceItem.objects.filter(
            code=code, status__in=[ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN]
        )
        .select_related("department", "district")
        .first()
    )


def item_list_for_category(*, category: str) -> QuerySet[ServiceItem]:
    return published_items().filter(category=category).order_by("-popularity", "code")


def life_event_list() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.annotate(
        item_count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
    ).order_by("order", "slug")


def _with_published_items(events: QuerySet[LifeEvent]) -> QuerySet[LifeEvent]:
    items = published_items().order_by("lifeeventitem__order")
    return events.prefetch_related(Prefetch("items", queryset=items, to_attr="published_items"))


def life_event_get(*, slug: str) -> LifeEvent | None:
    """A life event with its published items in order, as `published_items`."""
    return _with_published_items(LifeEvent.objects.filter(slug=slug)).first()


def life_events_with_items() -> QuerySet[LifeEvent]:
    return _with_published_items(LifeEvent.objects.order_by("order", "slug"))


def life_events_of_item(*, item: ServiceItem) -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(lifeeventitem__item=item).order_by("order")


def editable_department_ids(*, user: User) -> set[int]:
    """Departments whose items this staff member may draft (clerks and administrators)."""
    return {
        role.department_id
        for role in user.staff_roles.all()
        if role.department_id is not None and role.role in {Role.CLERK, Role.DEPARTMENT_ADMIN}
    }


def staff_item_list(*, user: User) -> QuerySet[ServiceItem]:
    """Every item of the staff member's departments, published or not."""
    return ServiceItem.objects.filter(
        department_id__in=editable_department_ids(user=user)
    ).select_related("department", "district")


def staff_item_get(*, user: User, code: str) -> ServiceItem | None:
    return staff_item_list(user=user).filter(code=code).first()


def item_history(*, item: ServiceItem) -> QuerySet[ItemRevision]:
    return item.revisions.select_related("created_by", "reviewed_by").order_by("-number")


# --- The back office --------------------------------------------------------------------------

OPEN_REVISION_STATES = (RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.RETURNED)


def admin_department_ids(*, user: User) -> set[int]:
    """Departments whose items this staff member may publish, return and withdraw."""
    return {
        role.department_id
        for role in user.staff_roles.all()
        if role.department_id is not None and role.role == Role.DEPARTMENT_ADMIN
    }


def with_open_revision(items: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    """The items with their open revision (there is at most one) in `open_revisions`."""
    return items.prefetch_related(
        Prefetch(
            "revisions",
            queryset=ItemRevision.objects.filter(state__in=OPEN_REVISION_STATES),
            to_attr="open_revisions",
        )
    )


def staff_item_rows(*, user: User, state: str = "") -> QuerySet[ServiceItem]:
    """The items of the staff member's departments, with their open revisions, by code."""
    items = with_open_revision(staff_item_list(user=user))
    if state in {"draft", "submitted", "returned"}:
        items = items.filter(revisions__state=state)
    elif state == "published":
        items = items.filter(status=ItemStatus.PUBLISHED)
    elif state == "unpublished":
        items = items.filter(status=ItemStatus.DRAFT)
    elif state == "withdrawn":
        items = items.filter(status=ItemStatus.WITHDRAWN)
    return items.order_by("code")


def staff_review_queue(*, user: User) -> QuerySet[ItemRevision]:
    """Revisions waiting for review in the departments the staff member administers."""
    return (
        ItemRevision.objects.filter(
            state=RevisionState.SUBMITTED,
            item__department_id__in=admin_department_ids(user=user),
        )
        .select_related("item", "item__department", "created_by")
        .order_by("submitted_at", "pk")
    )


def staff_review_count(*, user: User) -> int:
    """How many of those the staff member may review: the ones someone else wrote."""
    return staff_review_queue(user=user).exclude(created_by=user).count()


def search_miss_report(*, days: int = 30, limit: int = 100) -> list[tuple[str, int]]:
    """The most frequent queries that found nothing in the last `days` days."""
    since = timezone.localdate() - timedelta(days=days)
    rows = (
        SearchMiss.objects.filter(day__gte=since)
        .values("query")
        .annotate(total=Sum("count"))
        .filter(total__gte=MISS_REPORT_THRESHOLD)
        .order_by("-total", "query")[:limit]
    )
    return [(row["query"], int(row["total"])) for row in rows]
