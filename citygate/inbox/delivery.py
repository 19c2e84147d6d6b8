"""The delivery of a message beyond the inbox: which channels, when, retries and fallback.

Every message is in the inbox from the moment `notify` saves it; its in-app delivery is
recorded then as delivered, and becomes opened when the person reads the message. After the
sender's transaction commits, `deliveries_plan` (a task) asks the person's choices and
`preferences.push_decision` what else to do:

- push: the first channel of the message's channel order is queued at once;
- quiet (news in the quiet hours): queued to run when the quiet hours end;
- capped, inbox only: nothing more; digest: the message waits for the next digest
  (`news_digests_send`, from ``manage.py inbox_send_digests``), which is a news message of its
  own, pushed like any other but never capped nor gathered.

The channel order is the push channels the person chose for the kind, Web Push first. The
later ones are fallbacks, not copies: a text message goes when the notification cannot reach
any device (no device turned on, the subscription gone, or every attempt failed). Sending both
at once would tell the person the same thing twice and cost a text message each time, for an
event that is to be delivered once. The page says so beside the choices.

Official notices fall back to SMS even when only the device was chosen for them: a notice of a
public body can start a time limit (a request for more materials, a decision one may appeal),
and a person who asked to be told on their device has asked to be told; a device that is off
or gone must not mean they never hear of it. Choosing no push channel at all for official
notices is still honoured (the inbox only), and transactional and news messages never go by a
channel the person did not choose.

Attempts: a delivery is claimed by a conditional UPDATE (queued, due, not held by another
worker) that adds one to its attempts and holds it for `LEASE`; only the worker that claimed
it sends, so a task run twice sends once. A retryable failure waits `RETRY_DELAYS` (1, 5, 30
minutes, each up to a fifth longer at random, so that many failures at once do not come back
at once) through the task queue's `run_after`; the fourth failure, or a permanent one, fails
the delivery and moves on to the next channel. A backend that cannot defer (the immediate one
of tests) runs a retry at once, finds it not yet due and leaves it: tests drive retries by
calling `delivery_attempt` with a clock, as ``manage.py inbox_deliveries_sweep`` does for any
delivery whose task was lost.

What the person chose is read again at every attempt, not only when the message is planned: a
channel they turned off since is not used, and news (a retry, or a text message falling back)
that comes due in their quiet hours waits for the end of them. The daily cap on news counts a
push on the day it is due, and one person's news is decided one message at a time.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.core.errors import NotFound
from citygate.core.logging import get_logger
from citygate.inbox import preferences, selectors
from citygate.inbox.channels import Outcome, Rendered, channel_backend, report_token_valid
from citygate.inbox.models import (
    Channel,
    Delivery,
    DeliveryState,
    Digest,
    Kind,
    Message,
    NotificationSettings,
)

log = get_logger(__name__)

# What the pipeline reads the time from: timezone.now, or a test's stand-in.
Clock = Callable[[], datetime]

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RETRY_JITTER = 0.2
# Longer than any backend's timeout: a worker that died mid-send frees the delivery after it.
LEASE = timedelta(minutes=2)
DIGEST_TEMPLATES = {
    Digest.DAILY: "inbox.news_digest_daily",
    Digest.WEEKLY: "inbox.news_digest_weekly",
}
DIGEST_PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
# Weekly digests go out on Mondays.
WEEKLY_DIGEST_WEEKDAY = 0
RETRY = "retry"
SKIPPED = "skipped"
DEFERRED = "deferred"


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 5, 30 minutes and a bit."""
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    spread = (rng or random).uniform(0, RETRY_JITTER)
    return base * (1 + spread)


def channel_order(choices: preferences.Choices, kind: str) -> list[str]:
    """The push channels to try for a kind, first to last (see the module's docstring)."""
    order = choices.channels_for(kind)[1:]
    if kind == Kind.OFFICIAL and Channel.WEB_PUSH in order and Channel.SMS not in order:
        order.append(Channel.SMS)
    return order


def rendered(message: Message) -> Rendered:
    """The message as its recipient reads it, in the language they chose."""
    language = message.recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        return Rendered(
            title=message.title_text,
            body=message.body_text,
            link=message.link or reverse("shell:messages"),
            language=language,
        )


def _enqueue(delivery_id: uuid.UUID, run_after: datetime | None = None) -> None:
    from citygate.inbox.tasks import delivery_send

    task = delivery_send
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id=str(delivery_id))


def plan_on_commit(message: Message) -> None:
    """Plans the message's pushes once the sender's transaction has committed."""
    from citygate.inbox.tasks import deliveries_plan_task

    transaction.on_commit(partial(deliveries_plan_task.enqueue, message_id=str(message.pk)))


def in_app_delivered(message: Message) -> Delivery:
    """Records that the message is in the inbox (in notify's own transaction)."""
    at = message.created_at
    return Delivery.objects.create(
        message=message,
        channel=Channel.IN_APP,
        state=DeliveryState.DELIVERED,
        attempts=1,
        queued_at=at,
        sent_at=at,
        delivered_at=at,
    )


def _queue(message: Message, channel: str, now: datetime, run_after: datetime | None) -> bool:
    """Queues the message on a channel, unless it already was; True when this call did."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                message=message, channel=channel, queued_at=now, next_attempt_at=run_after
            )
    except IntegrityError:
        return False
    transaction.on_commit(partial(_enqueue, delivery.pk, run_after))
    log.info(
        "inbox.delivery_queued",
        delivery_id=str(delivery.pk),
        message_id=str(message.pk),
        channel=channel,
        deferred=run_after is not None,
    )
    return True


def news_pushes_on_day_of(*, user_id: uuid.UUID, moment: datetime) -> int:
    """News messages pushed to the person, or to be, on the local day of `moment`.

    A push counts for the day it is due (its next attempt, or when it was queued): news held
    over the quiet hours of the evening is the next morning's.
    """
    day = timezone.localdate(moment)
    start = _day_start(day)
    counts = news_pushes_by_day(user_ids=[user_id], start=start, end=start + timedelta(days=1))
    return counts.get((user_id, day), 0)


def news_pushes_by_day(
    *, user_ids: Sequence[uuid.UUID], start: datetime, end: datetime
) -> dict[tuple[uuid.UUID, date], int]:
    """News messages pushed to each of these people, or to be, by the local day they are due,
    between `start` and `end`: one query for a whole batch of people."""
    rows = (
        Delivery.objects.annotate(due=Coalesce("next_attempt_at", "queued_at"))
        .filter(
            message__recipient_id__in=list(user_ids),
            message__kind=Kind.NEWS,
            channel__in=preferences.PUSH_CHANNELS,
            due__gte=start,
            due__lt=end,
        )
        .values_list("message__recipient_id", "message_id", "due")
    )
    messages: dict[tuple[uuid.UUID, date], set[uuid.UUID]] = {}
    for user_id, message_id, due in rows:
        messages.setdefault((user_id, timezone.localdate(due)), set()).add(message_id)
    return {key: len(found) for key, found in messages.items()}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _news_due(choices: preferences.Choices, now: datetime) -> datetime:
    """When news planned now would be pushed: now, or the end of the quiet hours."""
    if preferences.in_quiet_hours(choices, now):
        return preferences.quiet_hours_end(choices, now)
    return now


def _decision(
    message: Message, choices: preferences.Choices, now: datetime, news_pushed: int
) -> str:
    if message.template in DIGEST_TEMPLATES.values():
        # The digest is what the person asked for instead of each story: never capped nor
        # gathered again, but it waits out the quiet hours like news.
        if not channel_order(choices, message.kind):
            return preferences.PushDecision.INBOX_ONLY
        if preferences.in_quiet_hours(choices, now):
            return preferences.PushDecision.QUIET
        return preferences.PushDecision.PUSH
    return preferences.push_decision(choices, message.kind, now, news_pushed)


def deliveries_plan(*, message_id: uuid.UUID | str, now: datetime | None = None) -> str:
    """Queues the message's first push channel now or after the quiet hours; the decision."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return preferences.PushDecision.INBOX_ONLY
    return deliveries_plan_many(messages=[message], now=now)[message.pk]


def deliveries_plan_many(
    *, messages: Sequence[Message], now: datetime | None = None
) -> dict[uuid.UUID, str]:
    """Plans the first push of each message, as one batch (a campaign's push gives hundreds):
    the people's choices read in one query, their news already pushed counted in one, and the
    deliveries written in one statement. The decision of each message, by its id.

    The people the news messages are for are locked, in id order, for the whole batch: one
    person's news is decided one message at a time, or two stories counted against the cap at
    once would both find room for one more. Within the batch, each push planned counts against
    the next. A message planned twice (its task run again) is queued once.
    """
    now = now or timezone.now()
    messages = list({m.pk: m for m in messages}.values())
    decisions: dict[uuid.UUID, str] = {}
    with transaction.atomic():
        news_people = sorted({m.recipient_id for m in messages if m.kind == Kind.NEWS})
        if news_people:
            # NO KEY: planners wait for each other, while rows that only point at the person
            # (their messages, a booking) can still be written meanwhile.
            locked = User.objects.select_for_update(no_key=True).filter(pk__in=news_people)
            list(locked.order_by("pk").values_list("pk", flat=True))
        choices_of = selectors.notification_choices_of(user_ids=[m.recipient_id for m in messages])
        due = {
            m.pk: _news_due(choices_of[m.recipient_id], now)
            for m in messages
            if m.kind == Kind.NEWS
        }
        pushed: dict[tuple[uuid.UUID, date], int] = {}
        if due:
            days = sorted(timezone.localdate(moment) for moment in due.values())
            pushed = news_pushes_by_day(
                user_ids=news_people,
                start=_day_start(days[0]),
                end=_day_start(days[-1]) + timedelta(days=1),
            )
        queued = set(
            Delivery.objects.filter(message__in=[m.pk for m in messages])
            .exclude(channel=Channel.IN_APP)
            .values_list("message_id", "channel")
        )
        new: list[Delivery] = []
        for message in messages:
            choices = choices_of[message.recipient_id]
            day = None
            if message.pk in due:
                day = (message.recipient_id, timezone.localdate(due[message.pk]))
            decision = _decision(message, choices, now, pushed.get(day, 0) if day else 0)
            decisions[message.pk] = decision
            if decision not in (preferences.PushDecision.PUSH, preferences.PushDecision.QUIET):
                continue
            channel = channel_order(choices, message.kind)[0]
            if (message.pk, channel) in queued:
                continue
            run_after = None
            if decision == preferences.PushDecision.QUIET:
                run_after = preferences.quiet_hours_end(choices, now)
            new.append(
                Delivery(message=message, channel=channel, queued_at=now, next_attempt_at=run_after)
            )
            if day is not None:
                pushed[day] = pushed.get(day, 0) + 1
        # A planner racing this one may have queued one of them since: those are skipped by
        # the unique (message, channel), and only what this call wrote is sent.
        Delivery.objects.bulk_create(new, ignore_conflicts=True)
        written = set(
            Delivery.objects.filter(pk__in=[d.pk for d in new]).values_list("pk", flat=True)
        )
        # Sent and logged once the caller's transaction commits: a batch rolled back leaves
        # neither tasks nor log lines for deliveries that never were.
        transaction.on_commit(
            partial(_planned, [d for d in new if d.pk in written], dict(decisions))
        )
    return decisions


def _planned(deliveries: Sequence[Delivery], decisions: Mapping[uuid.UUID, str]) -> None:
    for queued in deliveries:
        _enqueue(queued.pk, queued.next_attempt_at)
        log.info(
            "inbox.delivery_queued",
            delivery_id=str(queued.pk),
            message_id=str(queued.message_id),
            channel=queued.channel,
            deferred=queued.next_attempt_at is not None,
        )
    for message_id, decision in decisions.items():
        log.info("inbox.delivery_planned", message_id=str(message_id), decision=decision)


def _fall_back(delivery: Delivery, now: datetime) -> None:
    """Queues the next channel of the message's order after the one that failed, if any."""
    message = delivery.message
    choices = selectors.notification_choices(user=message.recipient)
    run_after = (
        preferences.quiet_hours_end(choices, now) if _quiet_for(message, choices, now) else None
    )
    rank = preferences.PUSH_CHANNELS.index
    for channel in channel_order(choices, message.kind):
        if rank(channel) > rank(delivery.channel) and _queue(message, channel, now, run_after):
            log.info(
                "inbox.delivery_fell_back",
                delivery_id=str(delivery.pk),
                message_id=str(message.pk),
                channel=channel,
            )
            return


def _claim(delivery_id: uuid.UUID | str, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    claimed = Delivery.objects.filter(due, free, pk=delivery_id, state=DeliveryState.QUEUED).update(
        attempts=F("attempts") + 1, locked_until=now + LEASE
    )
    return claimed == 1


def fixed_clock(now: datetime) -> Clock:
    """A clock that always says `now` (a test's moment)."""
    return lambda: now


def delivery_attempt(
    *,
    delivery_id: uuid.UUID | str,
    now: datetime | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> str:
    """One attempt to send a queued delivery; the state it is left in, or "retry", "skipped",
    "deferred" (news that came due in the quiet hours).

    The person's choices are read again first: a channel turned off since the delivery was
    queued fails it as "not_chosen" (and the next chosen channel is tried), and news waits out
    quiet hours the person is in now.

    The clock is read when the delivery is claimed and again when the answer is recorded, as
    a send can take seconds; `now` fixes it (tests), `clock` stands in for it (the sweep's).
    """
    clock = clock or (timezone.now if now is None else fixed_clock(now))
    now = clock()
    if not _claim(delivery_id, now):
        # Sent, failed, not yet due, or another worker holds it.
        log.info("inbox.delivery_skipped", delivery_id=str(delivery_id))
        return SKIPPED
    delivery = Delivery.objects.select_related("message__recipient").get(pk=delivery_id)
    choices = selectors.notification_choices(user=delivery.message.recipient)
    if delivery.channel not in channel_order(choices, delivery.message.kind):
        # Turned off since it was queued: the person's choice of now is what counts.
        outcome = Outcome.failed("not_chosen", retryable=False)
    elif _quiet_for(delivery.message, choices, now):
        return _defer(delivery, preferences.quiet_hours_end(choices, now))
    else:
        outcome = channel_backend(delivery.channel).send(delivery, rendered(delivery.message))
        now = clock()
    result = _record(delivery, outcome, now, rng)
    if result == SKIPPED:
        # Held past the lease and taken over: the other worker's answer stands.
        log.warning("inbox.delivery_taken_over", delivery_id=str(delivery.pk))
        return SKIPPED
    log.info(
        "inbox.delivery_attempted",
        delivery_id=str(delivery.pk),
        channel=delivery.channel,
        attempt=delivery.attempts,
        result=result,
        error_code=outcome.error_code,
    )
    return result


def _quiet_for(message: Message, choices: preferences.Choices, now: datetime) -> bool:
    """Whether news must wait: a retry or a fallback can come due in the quiet hours too."""
    return message.kind == Kind.NEWS and preferences.in_quiet_hours(choices, now)


def _defer(delivery: Delivery, until: datetime) -> str:
    """Gives back a claimed delivery to run at `until`; the claim did not count as a try."""
    with transaction.atomic():
        changed = Delivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.QUEUED, attempts=delivery.attempts
        ).update(attempts=F("attempts") - 1, next_attempt_at=until, locked_until=None)
        if changed:
            transaction.on_commit(partial(_enqueue, delivery.pk, until))
    log.info("inbox.delivery_deferred", delivery_id=str(delivery.pk), changed=bool(changed))
    return DEFERRED if changed else SKIPPED


def _record(delivery: Delivery, outcome: Outcome, now: datetime, rng: random.Random | None) -> str:
    """Writes what an attempt came to, if this attempt still holds the delivery."""
    with transaction.atomic():
        mine = Delivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.QUEUED, attempts=delivery.attempts
        )
        if outcome.sent:
            result: str = DeliveryState.SENT
            changed = mine.update(
                state=DeliveryState.SENT,
                sent_at=now,
                provider_ref=outcome.provider_ref,
                error_code="",
                locked_until=None,
                next_attempt_at=None,
            )
        elif outcome.retryable and delivery.attempts < MAX_ATTEMPTS:
            result = RETRY
            when = now + retry_delay(delivery.attempts, rng=rng)
            changed = mine.update(
                next_attempt_at=when, error_code=outcome.error_code, locked_until=None
            )
            if changed:
                transaction.on_commit(partial(_enqueue, delivery.pk, when))
        else:
            result = DeliveryState.FAILED
            changed = mine.update(
                state=DeliveryState.FAILED,
                failed_at=now,
                error_code=outcome.error_code,
                locked_until=None,
                next_attempt_at=None,
            )
            if changed:
                _fall_back(delivery, now)
        if not changed and _reached_while_sending(delivery, outcome.provider_ref):
            return DeliveryState.SENT
    return result if changed else SKIPPED


def _reached_while_sending(delivery: Delivery, provider_ref: str) -> int:
    """Records the end of an attempt whose push the device reported before it was recorded.

    A service worker can answer within milliseconds, before this worker's update: its
    delivered or opened stays, and the push counts as sent no later than it arrived, whatever
    the push service answered (it may have timed out after taking the push).
    """
    reported = Delivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, state__in=_REPORTED
    )
    return reported.update(
        sent_at=Coalesce(F("sent_at"), F("delivered_at")),
        provider_ref=provider_ref,
        error_code="",
        locked_until=None,
        next_attempt_at=None,
    )


def deliveries_resume(*, clock: Clock = timezone.now) -> int:
    """Attempts every queued delivery that is due (a lost task's, or a backend's that cannot
    defer); fails those whose attempts ran out with a worker that never answered.

    Each attempt reads the clock itself: a sweep of many sends takes longer than `LEASE`, and
    a lease counted from the sweep's start would run out while its delivery is being sent.
    """
    start = clock()
    due = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=start),
        Q(locked_until__isnull=True) | Q(locked_until__lte=start),
        state=DeliveryState.QUEUED,
    )
    attempted = 0
    for delivery in due.select_related("message__recipient").order_by("queued_at")[:1000]:
        if delivery.attempts >= MAX_ATTEMPTS:
            _interrupted(delivery, clock())
            continue
        delivery_attempt(delivery_id=delivery.pk, clock=clock)
        attempted += 1
    return attempted


def _interrupted(delivery: Delivery, now: datetime) -> None:
    """Fails a delivery whose last attempt's worker never answered, if it is still so."""
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    with transaction.atomic():
        if Delivery.objects.filter(
            free, pk=delivery.pk, state=DeliveryState.QUEUED, attempts=delivery.attempts
        ).update(state=DeliveryState.FAILED, failed_at=now, error_code="interrupted"):
            _fall_back(delivery, now)


# --- Reports from the devices and the reader --------------------------------------------------

_REPORTED = (DeliveryState.DELIVERED, DeliveryState.OPENED)
# A report may come while the attempt that sent the push is still being recorded (queued and
# claimed): it is taken then too, and that attempt's end keeps it (_reached_while_sending).
_BEING_SENT = Q(state=DeliveryState.QUEUED, attempts__gte=1)


def _mark(deliveries: QuerySet[Delivery], to: str, now: datetime) -> int:
    if to == DeliveryState.DELIVERED:
        return deliveries.filter(_BEING_SENT | Q(state=DeliveryState.SENT)).update(
            state=to, delivered_at=now
        )
    reached = Q(state__in=(DeliveryState.SENT, DeliveryState.DELIVERED))
    return deliveries.filter(_BEING_SENT | reached).update(
        state=DeliveryState.OPENED,
        opened_at=now,
        delivered_at=Coalesce(F("delivered_at"), Value(now)),
    )


def delivery_report(
    *, delivery_id: uuid.UUID | str, token: str, event: str, now: datetime | None = None
) -> bool:
    """A device says a push arrived (delivered) or was clicked (opened); True if it moved."""
    if event not in (DeliveryState.DELIVERED, DeliveryState.OPENED):
        raise ValueError("a device reports delivered or opened")
    if not report_token_valid(delivery_id, token):
        raise NotFound(_("There is no such message."))
    moved = _mark(Delivery.objects.filter(pk=delivery_id), event, now or timezone.now()) == 1
    if moved:
        log.info("inbox.delivery_reported", delivery_id=str(delivery_id), report=event)
    return moved


def in_app_opened(*, message: Message, now: datetime | None = None) -> None:
    """The person read the message in the app."""
    _mark(
        Delivery.objects.filter(message=message, channel=Channel.IN_APP),
        DeliveryState.OPENED,
        now or timezone.now(),
    )


def short_link_open(*, user_id: uuid.UUID, code: str, now: datetime | None = None) -> Message:
    """The person followed a text message's link: the message it was for, its SMS opened."""
    delivery = (
        Delivery.objects.select_related("message")
        .filter(link_code=code, message__recipient_id=user_id)
        .first()
    )
    if delivery is None:
        raise NotFound(_("There is no such message."))
    _mark(Delivery.objects.filter(pk=delivery.pk), DeliveryState.OPENED, now or timezone.now())
    return delivery.message


# --- Digests ----------------------------------------------------------------------------------


def news_digests_send(*, now: datetime | None = None) -> int:
    """Sends each person who chose a digest the news gathered since their last one.

    Run once a day (``manage.py inbox_send_digests``): daily digests every day, weekly ones on
    Mondays. A digest holds the count of unread news in the inbox since the last digest (at
    most one period back); none is sent when there is nothing new. Running twice on one day
    sends once: the digest's dedupe key names the day.
    """
    from citygate.inbox.services import notify

    now = now or timezone.now()
    today = timezone.localdate(now)
    templates = DIGEST_TEMPLATES.values()
    sent = 0
    for row in NotificationSettings.objects.filter(
        news_digest__in=list(DIGEST_TEMPLATES)
    ).select_related("user"):
        digest = row.news_digest
        if digest == Digest.WEEKLY and today.weekday() != WEEKLY_DIGEST_WEEKDAY:
            continue
        user = row.user
        since = now - DIGEST_PERIODS[Digest(digest)]
        last = (
            Message.objects.filter(recipient=user, template__in=templates)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            since = max(since, last)
        count = (
            Message.objects.filter(
                recipient=user,
                kind=Kind.NEWS,
                created_at__gt=since,
                created_at__lte=now,
                read_at__isnull=True,
                archived_at__isnull=True,
            )
            .exclude(template__in=templates)
            .count()
        )
        if not count:
            continue
        with transaction.atomic():
            message = notify(
                recipient=user,
                template=DIGEST_TEMPLATES[Digest(digest)],
                params={"count": count},
                link=reverse("shell:messages"),
                dedupe_key=f"inbox.digest:{digest}:{today.isoformat()}",
            )
        if message is not None:
            sent += 1
    log.info("inbox.digests_sent", count=sent)
    return sent
