"""Reads of the catalogue. Residents see published items only; staff see their departments'."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.catalog.models import (
    ItemRevision,
    ItemStatus,
    LifeEvent,
    SearchMiss,
    ServiceItem,
)

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


def life_event_get(*, slug: str) -> LifeEvent | None:
    items = published_items().order_by("lifeeventitem__order")
    return (
        LifeEvent.objects.filter(slug=slug)
        .prefetch_related(Prefetch("items", queryset=items, to_attr="published_items"))
        .first()
    )


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
