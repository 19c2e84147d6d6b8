"""Every change to the catalogue: drafting, reviewing and publishing items, life events, and
the count of searches that found nothing.

A department's clerks and administrators draft and submit revisions of their own items; an
administrator of the same department who did not write the revision publishes it or returns
it with a comment (four eyes on everything residents read as official guidance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.catalog.content import ItemContent, ItemRecord
from citygate.catalog.models import (
    CatalogState,
    ItemRevision,
    ItemStatus,
    LifeEvent,
    LifeEventItem,
    RevisionState,
    SearchMiss,
    ServiceItem,
)
from citygate.catalog.search import stored_terms
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.directory.models import Department, District

log = get_logger(__name__)

OPEN_STATES = (RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.RETURNED)


def _roles_in(user: User, department_id: int) -> set[str]:
    return {role.role for role in user.staff_roles.all() if role.department_id == department_id}


def _require_editor(user: User, item: ServiceItem) -> None:
    if not _roles_in(user, item.department_id) & {Role.CLERK, Role.DEPARTMENT_ADMIN}:
        # Not found rather than forbidden: another department's drafts are not to be probed.
        raise NotFound(_("There is no such service item."))


def _require_reviewer(user: User, revision: ItemRevision) -> None:
    _require_editor(user, revision.item)
    if Role.DEPARTMENT_ADMIN not in _roles_in(user, revision.item.department_id):
        raise PermissionDenied(
            _("Only an administrator of the department can publish or return it."),
            code="review_not_allowed",
        )
    if revision.created_by_id == user.pk or str(user.pk) in revision.editors:
        raise PermissionDenied(
            _("Someone other than its author must review this version."),
            code="review_own_revision",
        )


def _next_number(item: ServiceItem) -> int:
    last = item.revisions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def _resolve_place(*, department: str, district: str) -> tuple[Department, District | None]:
    found = Department.objects.filter(code=department).first()
    if found is None:
        raise InvalidInput({"department": _("There is no department with this code.")})
    if not district:
        return found, None
    place = District.objects.filter(code=district).first()
    if place is None:
        raise InvalidInput({"district": _("There is no district with this code.")})
    return found, place


@transaction.atomic
def item_create(
    *, record: ItemRecord, by: User, summary: str = "", source: str = "editor"
) -> ItemRevision:
    """A new item, not yet published, with its first revision as a draft."""
    department, district = _resolve_place(department=record.department, district=record.district)
    if not _roles_in(by, department.pk) & {Role.CLERK, Role.DEPARTMENT_ADMIN}:
        raise PermissionDenied(
            _("You can only add items of your own department."),
            code="not_your_department",
        )
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(
                code=record.code, department=department, district=district
            )
    except IntegrityError:
        raise ApplicationError(
            "item_code_taken",
            _("An item with this code already exists."),
            fields={"code": _("An item with this code already exists.")},
            status=409,
        ) from None
    revision = ItemRevision.objects.create(
        item=item,
        number=1,
        content=record.content.model_dump(mode="json"),
        created_by=by,
        editors=[str(by.pk)],
        summary=summary[:200],
        source=source,
    )
    log.info("catalog.item_created", item_id=item.pk, revision_id=revision.pk, by=str(by.pk))
    return revision


@transaction.atomic
def revision_save(
    *, item: ServiceItem, content: ItemContent, by: User, summary: str = "", source: str = "editor"
) -> ItemRevision:
    """Saves content as the item's open draft, opening one if there is none."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_editor(by, item)
    data = content.model_dump(mode="json")
    revision = item.revisions.filter(state__in=OPEN_STATES).first()
    if revision is None:
        revision = ItemRevision(item=item, number=_next_number(item), created_by=by)
    elif revision.state == RevisionState.SUBMITTED:
        raise ApplicationError(
            "revision_in_review",
            _("This version is waiting for review; it can be changed once returned."),
            status=409,
        )
    revision.content = data
    # The author is whoever wrote the content last; everyone who saved it is kept, and none of
    # them may review it (an unchanged save by a colleague must not launder one's own text).
    revision.created_by = by
    if str(by.pk) not in revision.editors:
        revision.editors = [*revision.editors, str(by.pk)]
    revision.state = RevisionState.DRAFT
    revision.summary = summary[:200]
    revision.source = source
    revision.save()
    log.info("catalog.revision_saved", item_id=item.pk, revision_id=revision.pk, by=str(by.pk))
    return revision


def _open_revision(revision_id: int, *, state: RevisionState) -> ItemRevision:
    revision = (
        ItemRevision.objects.select_for_update()
        .select_related("item")
        .filter(pk=revision_id)
        .first()
    )
    if revision is None:
        raise NotFound(_("There is no such version."))
    if revision.state != state:
        raise ApplicationError(
            "revision_state",
            _("This version has changed meanwhile; reload the page."),
            status=409,
        )
    return revision


@transaction.atomic
def revision_submit(*, revision_id: int, by: User) -> ItemRevision:
    revision = ItemRevision.objects.select_related("item").filter(pk=revision_id).first()
    if revision is None:
        raise NotFound(_("There is no such version."))
    _require_editor(by, revision.item)
    if revision.state == RevisionState.RETURNED:
        revision = _open_revision(revision_id, state=RevisionState.RETURNED)
    else:
        revision = _open_revision(revision_id, state=RevisionState.DRAFT)
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["state", "submitted_at"])
    log.info("catalog.revision_submitted", revision_id=revision.pk, by=str(by.pk))
    return revision


@transaction.atomic
def revision_return(*, revision_id: int, by: User, comment: str) -> ItemRevision:
    revision = _open_revision(revision_id, state=RevisionState.SUBMITTED)
    _require_reviewer(by, revision)
    comment = comment.strip()
    if not comment:
        raise InvalidInput({"comment": _("Say what should change.")})
    revision.state = RevisionState.RETURNED
    revision.reviewed_by = by
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment[:500]
    revision.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    log.info("catalog.revision_returned", revision_id=revision.pk, by=str(by.pk))
    return revision


def _publish(revision: ItemRevision) -> None:
    item = (
        ServiceItem.objects.select_for_update()
        .select_related("department")
        .get(pk=revision.item_id)
    )
    item.revisions.filter(state=RevisionState.PUBLISHED).update(state=RevisionState.SUPERSEDED)
    revision.state = RevisionState.PUBLISHED
    revision.save()

    item.apply_content(revision.guide)
    item.search_terms = stored_terms(
        content=item.content,
        department_name=item.department.name_zh,
        department_name_en=item.department.name_en,
    )
    item.status = ItemStatus.PUBLISHED
    item.published_revision = revision
    item.published_at = timezone.now()
    item.save()
    _link_life_events(item, revision.guide.life_events)
    CatalogState.bump()


@transaction.atomic
def revision_publish(*, revision_id: int, by: User, comment: str = "") -> ItemRevision:
    revision = _open_revision(revision_id, state=RevisionState.SUBMITTED)
    _require_reviewer(by, revision)
    revision.reviewed_by = by
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment.strip()[:500]
    _publish(revision)
    log.info("catalog.revision_published", revision_id=revision.pk, by=str(by.pk))
    return revision


@transaction.atomic
def item_withdraw(*, item: ServiceItem, by: User, reason: str) -> ServiceItem:
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_editor(by, item)
    if Role.DEPARTMENT_ADMIN not in _roles_in(by, item.department_id):
        raise PermissionDenied(
            _("Only an administrator of the department can withdraw an item."),
            code="review_not_allowed",
        )
    if item.status != ItemStatus.PUBLISHED:
        # A guide never published has nothing residents could read; withdrawn is withdrawn.
        raise ApplicationError(
            "item_not_published", _("Only a published item can be withdrawn."), status=409
        )
    item.status = ItemStatus.WITHDRAWN
    item.withdrawn_at = timezone.now()
    item.withdrawn_by = by
    item.withdrawn_reason = reason.strip()[:500]
    item.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    CatalogState.bump()
    log.info("catalog.item_withdrawn", item_id=item.pk, by=str(by.pk))
    return item


def catalogue_reindex(*, batch: int = 500) -> int:
    """Recomputes the stored search terms an older analysis made; returns how many."""
    from citygate.catalog.analysis import VERSION

    updated = 0
    stale = (
        ServiceItem.objects.filter(status__in=[ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN])
        .exclude(search_terms__v=VERSION)
        .select_related("department")
    )
    while chunk := list(stale[:batch]):
        for item in chunk:
            item.search_terms = stored_terms(
                content=item.content,
                department_name=item.department.name_zh,
                department_name_en=item.department.name_en,
            )
        ServiceItem.objects.bulk_update(chunk, ["search_terms"])
        updated += len(chunk)
    if updated:
        CatalogState.bump()
    log.info("catalog.reindexed", items=updated)
    return updated


def _link_life_events(item: ServiceItem, slugs: Iterable[str]) -> None:
    wanted = set(slugs)
    LifeEventItem.objects.filter(item=item).exclude(life_event__slug__in=wanted).delete()
    for event in LifeEvent.objects.filter(slug__in=wanted):
        order = LifeEventItem.objects.filter(life_event=event).count()
        LifeEventItem.objects.get_or_create(life_event=event, item=item, defaults={"order": order})


@transaction.atomic
def item_publish_demo(*, record: ItemRecord) -> ServiceItem:
    """Publishes a demo item at once, as revision 1 (demo data only: no reviewer)."""
    department, district = _resolve_place(department=record.department, district=record.district)
    item, _created = ServiceItem.objects.get_or_create(
        code=record.code, defaults={"department": department, "district": district}
    )
    revision = ItemRevision.objects.create(
        item=item,
        number=_next_number(item),
        content=record.content.model_dump(mode="json"),
        source="demo",
        state=RevisionState.DRAFT,
    )
    _publish(revision)
    item.refresh_from_db()
    return item


def item_viewed(*, code: str, count: int = 1) -> None:
    """Counts openings of the guide (the popularity the search ranks by second)."""
    ServiceItem.objects.filter(code=code).update(popularity=F("popularity") + count)


# Runs of digits could be a phone, an ID or a card number: never kept.
_DIGITS = re.compile(r"[0-9０-９]+")
_SPACES = re.compile(r"\s+")
MISS_QUERY_LENGTH = 40


def search_miss_query(text: str) -> str:
    """The form in which a query that found nothing is counted: digits masked, trimmed."""
    masked = _DIGITS.sub("#", text)
    return _SPACES.sub(" ", masked).strip().lower()[:MISS_QUERY_LENGTH]


def search_miss_record(*, query: str) -> None:
    text = search_miss_query(query)
    if not text or set(text) <= {"#", " "}:
        return
    day = timezone.localdate()
    updated = SearchMiss.objects.filter(day=day, query=text).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(day=day, query=text)
    except IntegrityError:
        SearchMiss.objects.filter(day=day, query=text).update(count=F("count") + 1)
