"""Writing campaigns: draft, submit for approval, approve (by a second person), release,
cancel; and bringing the released ones into an inbox as it is read.

Releasing a campaign to the whole city is a single row update: it takes the next number of
the release sequence and nothing is written per person. Each inbox, when opened, looks at the
campaigns released since its cursor, keeps those whose segment the person is in, and writes
one message for each (the campaign's dedupe key makes it once, however many reads race).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.campaigns import selectors
from citygate.campaigns.models import (
    HEADLINE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Campaign,
    CampaignCursor,
    CampaignKind,
    CampaignState,
    ReleaseCounter,
)
from citygate.campaigns.segments import Segment, profile_of, segment_from
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.inbox import selectors as inbox_selectors
from citygate.inbox.delivery import deliveries_plan_many
from citygate.inbox.sources import Broadcast, broadcast_deliver_to, broadcasts_deliver
from citygate.news.models import Story, StoryState

log = get_logger(__name__)

CAMPAIGN_ROLES = frozenset({Role.EDITOR, Role.OPERATOR})
# Campaigns an inbox brings in at one read, oldest first; the rest come at the next read.
BRING_IN_BATCH = 1000
# People looked at by one batch of a campaign's push, and how long one task goes on before it
# hands the rest to the next task; a walk that has not moved for PUSH_STALLED is restarted.
PUSH_BATCH = 500
PUSH_SECONDS = 20.0
PUSH_STALLED = timedelta(minutes=10)
EDITABLE = (CampaignState.DRAFT,)
TEMPLATES = {CampaignKind.NEWS: "campaigns.news", CampaignKind.OFFICIAL: "campaigns.notice"}
CANCELLABLE = (CampaignState.DRAFT, CampaignState.AWAITING_APPROVAL, CampaignState.SCHEDULED)


def live_days() -> int:
    """How long after release an inbox still brings a campaign in."""
    return int(getattr(settings, "CITYGATE_CAMPAIGN_LIVE_DAYS", 30))


def new_reader_window() -> timedelta:
    """How far back the first opening of an inbox brings campaigns in (still live ones)."""
    return timedelta(days=int(getattr(settings, "CITYGATE_CAMPAIGN_NEW_READER_DAYS", 7)))


def _require_campaigner(user: User) -> None:
    if not user.is_staff_member or not user.staff_roles.filter(role__in=CAMPAIGN_ROLES).exists():
        raise NotFound(_("There is no such campaign."))


def _locked(campaign_id: uuid.UUID | str) -> Campaign:
    try:
        key = uuid.UUID(str(campaign_id))
    except ValueError:
        raise NotFound(_("There is no such campaign.")) from None
    campaign = Campaign.objects.select_for_update().filter(pk=key).first()
    if campaign is None:
        raise NotFound(_("There is no such campaign."))
    return campaign


def _state_error(campaign: Campaign) -> ApplicationError:
    return ApplicationError(
        "campaign_state",
        _("This campaign is %(state)s and cannot be changed that way.")
        % {"state": CampaignState(campaign.state).label},
        status=409,
    )


def _text(
    data: Mapping[str, object], name: str, limit: int, errors: dict[str, str | Promise]
) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Enter text.")
        return ""
    value = " ".join(value.split())
    if len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _clean_content(data: Mapping[str, object]) -> dict[str, object]:
    """The campaign's content from a form or the API; every wrong value named by its field."""
    errors: dict[str, str | Promise] = {}
    kind = data.get("kind", CampaignKind.NEWS)
    if kind not in CampaignKind.values:
        errors["kind"] = _("Choose one of the listed kinds.")
    story: Story | None = None
    story_id = data.get("story_id") or None
    if story_id is not None:
        try:
            story = Story.objects.filter(pk=uuid.UUID(str(story_id))).first()
        except ValueError:
            story = None
        if story is None or story.state != StoryState.PUBLISHED:
            errors["story_id"] = _("Choose a published story.")
            story = None
    content: dict[str, object] = {
        "kind": kind,
        "story": story,
        "headline_zh": _text(data, "headline_zh", HEADLINE_MAX_LENGTH, errors),
        "headline_en": _text(data, "headline_en", HEADLINE_MAX_LENGTH, errors),
        "summary_zh": _text(data, "summary_zh", SUMMARY_MAX_LENGTH, errors),
        "summary_en": _text(data, "summary_en", SUMMARY_MAX_LENGTH, errors),
    }
    if story is not None:
        content["headline_zh"] = content["headline_zh"] or story.title[:HEADLINE_MAX_LENGTH]
        content["summary_zh"] = content["summary_zh"] or story.summary[:SUMMARY_MAX_LENGTH]
        content["link"] = reverse("news:story", kwargs={"story_id": story.pk})
    else:
        content["link"] = ""
        if "story_id" not in errors and not content["headline_zh"]:
            errors["headline_zh"] = _("Write a headline, or choose a story.")
    send_at = data.get("send_at") or None
    if send_at is not None and not isinstance(send_at, datetime):
        try:
            send_at = datetime.fromisoformat(str(send_at))
        except ValueError:
            errors["send_at"] = _("Enter a date and time such as 2026-12-24 09:00.")
            send_at = None
    if isinstance(send_at, datetime) and timezone.is_naive(send_at):
        send_at = timezone.make_aware(send_at)
    content["send_at"] = send_at
    try:
        segment = segment_from(data.get("segment") or {})  # type: ignore[arg-type]
    except InvalidInput as error:
        errors.update({f"segment.{key}": value for key, value in error.fields.items()})
        segment = Segment()
    content["segment"] = segment.as_dict()
    if errors:
        raise InvalidInput(errors)
    return content


def campaign_create(*, by: User, data: Mapping[str, object]) -> Campaign:
    _require_campaigner(by)
    content = _clean_content(data)
    campaign = Campaign.objects.create(created_by=by, editors=[str(by.pk)], **content)
    log.info("campaign.created", campaign_id=str(campaign.pk), by=str(by.pk))
    return campaign


def campaign_update(
    *, by: User, campaign_id: uuid.UUID | str, data: Mapping[str, object]
) -> Campaign:
    _require_campaigner(by)
    content = _clean_content(data)
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.state not in EDITABLE:
            raise _state_error(campaign)
        for name, value in content.items():
            setattr(campaign, name, value)
        if str(by.pk) not in campaign.editors:
            campaign.editors = [*campaign.editors, str(by.pk)]
        campaign.save()
    log.info("campaign.updated", campaign_id=str(campaign.pk), by=str(by.pk))
    return campaign


def campaign_submit(*, by: User, campaign_id: uuid.UUID | str) -> Campaign:
    """Puts the draft up for a second person's approval, with its audience counted."""
    _require_campaigner(by)
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.state != CampaignState.DRAFT:
            raise _state_error(campaign)
        campaign.audience_size = selectors.audience_size(segment=selectors.segment_of(campaign))
        campaign.state = CampaignState.AWAITING_APPROVAL
        campaign.submitted_by = by
        campaign.save(update_fields=["audience_size", "state", "submitted_by"])
    log.info("campaign.submitted", campaign_id=str(campaign.pk), audience=campaign.audience_size)
    return campaign


def campaign_return(*, by: User, campaign_id: uuid.UUID | str) -> Campaign:
    """Sends a campaign awaiting approval back to its draft for changes."""
    _require_campaigner(by)
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.state != CampaignState.AWAITING_APPROVAL:
            raise _state_error(campaign)
        campaign.state = CampaignState.DRAFT
        campaign.save(update_fields=["state"])
    log.info("campaign.returned", campaign_id=str(campaign.pk), by=str(by.pk))
    return campaign


def campaign_approve(
    *, by: User, campaign_id: uuid.UUID | str, now: datetime | None = None
) -> Campaign:
    """The second person's approval: sent at once, or at its time if one was set."""
    _require_campaigner(by)
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.state != CampaignState.AWAITING_APPROVAL:
            raise _state_error(campaign)
        if selectors.wrote_or_submitted(campaign, by):
            raise PermissionDenied(
                _("A campaign is approved by someone who did not write or submit it."),
                code="second_person_required",
            )
        campaign.approved_by = by
        campaign.approved_at = now
        campaign.state = CampaignState.SCHEDULED
        if campaign.send_at is None or campaign.send_at <= now:
            _release(campaign, now, also=["approved_by", "approved_at"])
        else:
            campaign.save(update_fields=["approved_by", "approved_at", "state"])
            transaction.on_commit(lambda: _release_enqueue(campaign))
    log.info("campaign.approved", campaign_id=str(campaign.pk), by=str(by.pk))
    return campaign


def _release_enqueue(campaign: Campaign) -> None:
    from citygate.campaigns.tasks import campaign_release_due

    task = campaign_release_due
    if task.get_backend().supports_defer and campaign.send_at is not None:
        task.using(run_after=campaign.send_at).enqueue(campaign_id=str(campaign.pk))


def _release(campaign: Campaign, now: datetime, *, also: Sequence[str] = ()) -> None:
    """Gives the campaign its release number: the counter and the campaign's row, whatever
    the size of its audience (`also` names other fields of the campaign to save with it)."""
    counter, _created = ReleaseCounter.objects.select_for_update().get_or_create(pk=1)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    campaign.release_seq = counter.last
    # Counted again: the audience on the day it goes, for its results.
    campaign.audience_size = selectors.audience_size(segment=selectors.segment_of(campaign))
    campaign.state = CampaignState.SENT
    campaign.sent_at = now
    campaign.expires_at = now + timedelta(days=live_days())
    campaign.save(
        update_fields=["release_seq", "audience_size", "state", "sent_at", "expires_at", *also]
    )
    transaction.on_commit(partial(_push_enqueue, str(campaign.pk)))
    log.info("campaign.released", campaign_id=str(campaign.pk), seq=campaign.release_seq)


def _push_enqueue(campaign_id: str) -> None:
    from citygate.campaigns.tasks import campaign_push_task

    campaign_push_task.enqueue(campaign_id=campaign_id)


def campaign_release_if_due(*, campaign_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Releases a scheduled campaign whose time has come; False if there is nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            campaign = _locked(campaign_id)
        except NotFound:
            return False
        if campaign.state != CampaignState.SCHEDULED:
            return False
        if campaign.send_at is not None and campaign.send_at > now:
            return False
        _release(campaign, now)
    return True


def campaigns_release_due(*, now: datetime | None = None) -> int:
    """Every scheduled campaign whose time has come (the command cron runs)."""
    now = now or timezone.now()
    due = Campaign.objects.filter(state=CampaignState.SCHEDULED, send_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(campaign_release_if_due(campaign_id=pk, now=now) for pk in list(due))


def campaign_cancel(*, by: User, campaign_id: uuid.UUID | str) -> Campaign:
    _require_campaigner(by)
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.state not in CANCELLABLE:
            raise _state_error(campaign)
        campaign.state = CampaignState.CANCELLED
        campaign.cancelled_by = by
        campaign.cancelled_at = timezone.now()
        campaign.save(update_fields=["state", "cancelled_by", "cancelled_at"])
    log.info("campaign.cancelled", campaign_id=str(campaign.pk), by=str(by.pk))
    return campaign


# --- Pushing: the channels that reach people before they open the app -------------------------


def _broadcast(campaign: Campaign, now: datetime) -> Broadcast:
    return Broadcast(
        template=TEMPLATES[CampaignKind(campaign.kind)],
        params=selectors.message_params(campaign),
        dedupe_key=campaign.dedupe_key,
        # Dated from the campaign, not from the moment it reached this inbox.
        created_at=campaign.sent_at or now,
        link=campaign.link,
        subject=campaign.subject,
    )


def _live(campaign: Campaign, now: datetime) -> bool:
    if campaign.state != CampaignState.SENT:
        return False
    if campaign.expires_at is not None and campaign.expires_at <= now:
        return False
    # A story taken down since is not brought to anyone new.
    return campaign.story is None or campaign.story.state == StoryState.PUBLISHED


def campaign_push_batch(*, campaign_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Pushes the campaign to the next `PUSH_BATCH` people of its audience, in id order, who
    chose a channel that reaches them (a device turned on, or text messages chosen for the
    kind); False when there is no one left.

    Each of them gets the campaign's message and its deliveries, which follow their own
    choices (quiet hours, the news cap, digests), in the transaction that moves the campaign's
    place in the walk: a batch is done whole or not at all, and done again it sends nothing
    twice. Everyone else finds the campaign when they open the inbox.
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("story")
            .filter(pk=str(campaign_id))
            .first()
        )
        if campaign is None or campaign.push_done_at is not None:
            return False
        if not _live(campaign, now):
            campaign.push_done_at = now
            campaign.save(update_fields=["push_done_at"])
            return False
        people = selectors.audience(segment=selectors.segment_of(campaign))
        if campaign.push_after:
            people = people.filter(pk__gt=campaign.push_after)
        ids = list(people.order_by("pk").values_list("pk", flat=True)[:PUSH_BATCH])
        reachable = inbox_selectors.reachable_by_push(user_ids=ids, kind=campaign.kind)
        if reachable:
            messages = broadcast_deliver_to(
                recipient_ids=[pk for pk in ids if pk in reachable],
                broadcast=_broadcast(campaign, now),
            )
            deliveries_plan_many(messages=[m for m in messages if m.read_at is None], now=now)
            log.info("campaign.pushed", campaign_id=str(campaign.pk), messages=len(messages))
        if ids:
            campaign.push_after = str(ids[-1])
        campaign.push_moved_at = now
        more = len(ids) == PUSH_BATCH
        if not more:
            campaign.push_done_at = now
        campaign.save(update_fields=["push_after", "push_moved_at", "push_done_at"])
    return more


def campaign_push(*, campaign_id: uuid.UUID | str, seconds: float = PUSH_SECONDS) -> bool:
    """Pushes batch after batch for up to `seconds`; True when the walk is not done yet."""
    started = time.monotonic()
    while campaign_push_batch(campaign_id=campaign_id):
        if time.monotonic() - started > seconds:
            return True
    return False


def campaigns_push_resume(*, now: datetime | None = None) -> int:
    """Restarts the push of every live campaign whose walk stopped short (a task lost or
    failed); for cron, beside the task queue. How many were restarted."""
    now = now or timezone.now()
    stalled = Campaign.objects.filter(
        state=CampaignState.SENT,
        push_done_at__isnull=True,
        expires_at__gt=now,
    ).filter(Q(push_moved_at__isnull=True) | Q(push_moved_at__lt=now - PUSH_STALLED))
    restarted = 0
    for pk in stalled.values_list("pk", flat=True):
        _push_enqueue(str(pk))
        restarted += 1
    return restarted


# --- Reading: campaigns into an inbox ---------------------------------------------------------


def campaigns_bring_in(user: User, *, now: datetime | None = None) -> int:
    """Writes the messages of campaigns released since this inbox last looked; how many.

    Staff accounts are in no audience and have no cursor.
    """
    if user.is_staff_member:
        return 0
    now = now or timezone.now()
    # One query when nothing is new, the usual case: the cursor is read inside it. An inbox
    # opened for the first time starts with the campaigns of the last few days, not a month's.
    first_look = (
        Campaign.objects.filter(release_seq__isnull=False, sent_at__lt=now - new_reader_window())
        .order_by("-release_seq")
        .values("release_seq")[:1]
    )
    seen = Coalesce(
        Subquery(CampaignCursor.objects.filter(user=user).values("seen_seq")[:1]),
        Subquery(first_look),
        Value(0),
    )
    fresh = list(
        Campaign.objects.filter(release_seq__gt=seen, expires_at__gt=now)
        .order_by("release_seq")
        .select_related("story")[:BRING_IN_BATCH]
    )
    if not fresh:
        return 0
    profile = profile_of(user)
    today = timezone.localdate(now)
    meant = [
        campaign
        for campaign in fresh
        if _live(campaign, now) and selectors.segment_of(campaign).matches(profile, today=today)
    ]
    written = broadcasts_deliver(
        recipient=user, broadcasts=[_broadcast(campaign, now) for campaign in meant]
    )
    last = fresh[-1].release_seq
    assert last is not None  # noqa: S101
    # One statement. Should a slower read racing this one move the cursor back, the next read
    # looks at those campaigns again and writes nothing twice (the dedupe key).
    CampaignCursor.objects.bulk_create(
        [CampaignCursor(user=user, seen_seq=last)],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["seen_seq"],
    )
    return written
