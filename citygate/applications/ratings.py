"""好差评: ratings of applications and hall visits, and the follow-up of poor ones.

A person rates an application once it is closed (办结), and a hall visit once they checked in;
one rating per application or visit, held by a one-to-one constraint. A 不满意 or 非常不满意
opens a `FollowUp` for the department with a deadline in working days
(`CITYGATE_FOLLOW_UP_DAYS`, default 15). The department answers; the person may reopen the
follow-up once, and an answer to a reopened follow-up closes it. Follow-ups answered after
their deadline count as late in the department's published figures.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citygate.accounts.models import User
from citygate.applications import notices, selectors
from citygate.applications.models import (
    POOR_GRADES,
    Application,
    FollowUp,
    FollowUpState,
    Grade,
    Phase,
    Rating,
)
from citygate.catalog.models import ServiceItem
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger
from citygate.inbox.services import notify
from citygate.workdays.selectors import add_working_days

log = get_logger(__name__)

COMMENT_MAX = 500
ANSWER_MAX = 2000

# The tags a person may add, by what they praise or blame (the national 好差评 list's spirit).
GOOD_TAGS = {
    "quick": gettext_lazy("Quick"),
    "one_visit": gettext_lazy("Done in one go"),
    "clear_guide": gettext_lazy("Clear guide"),
    "friendly": gettext_lazy("Friendly staff"),
    "few_materials": gettext_lazy("Few materials"),
}
POOR_TAGS = {
    "slow": gettext_lazy("Slow"),
    "many_visits": gettext_lazy("Had to come several times"),
    "unclear_guide": gettext_lazy("Guide unclear"),
    "unfriendly": gettext_lazy("Unfriendly staff"),
    "too_many_materials": gettext_lazy("Too many materials"),
    "system_trouble": gettext_lazy("The system did not work"),
}


def follow_up_days() -> int:
    return int(getattr(settings, "CITYGATE_FOLLOW_UP_DAYS", 15))


def _clean_rating(grade: int, tags: Sequence[str], comment: str) -> tuple[int, list[str], str]:
    errors: dict[str, str] = {}
    if grade not in Grade.values:
        errors["grade"] = _("Choose one of the five grades.")
    allowed = set(GOOD_TAGS) | set(POOR_TAGS)
    cleaned_tags = list(dict.fromkeys(tags))
    if any(tag not in allowed for tag in cleaned_tags):
        errors["tags"] = _("Choose tags from the list.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Write at most %(count)d characters.") % {"count": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    return grade, cleaned_tags, comment


def _already_rated() -> ApplicationError:
    return ApplicationError("already_rated", _("You have already rated this."), status=409)


def rating_submit(
    *,
    rater: User,
    grade: int,
    tags: Sequence[str] = (),
    comment: str = "",
    application_id: uuid.UUID | None = None,
    appointment_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Rating:
    """Rates a closed application or a visited appointment of the rater's own, once."""
    from citygate.halls.models import Appointment, AppointmentState

    now = now or timezone.now()
    grade, tags, comment = _clean_rating(grade, tags, comment)
    if (application_id is None) == (appointment_id is None):
        raise InvalidInput({"target": _("Rate one application or one visit.")})
    rating = Rating(rater=rater, grade=grade, tags=tags, comment=comment, created_at=now)
    if application_id is not None:
        application = (
            Application.objects.filter(pk=application_id, applicant=rater)
            .select_related("item")
            .first()
        )
        if application is None:
            raise NotFound()
        if application.phase != Phase.STOPPED or application.outcome == "withdrawn":
            raise ApplicationError(
                "not_closed", _("An application can be rated once it is completed."), status=409
            )
        rating.application = application
        rating.item = application.item
        rating.department_id = application.department_id
    else:
        assert appointment_id is not None  # noqa: S101 - exactly one of the two is given
        appointment = (
            Appointment.objects.filter(pk=appointment_id, user=rater).select_related("item").first()
        )
        if appointment is None:
            raise NotFound()
        if appointment.state not in (AppointmentState.CHECKED_IN, AppointmentState.DONE):
            raise ApplicationError(
                "not_visited", _("A visit can be rated once you checked in."), status=409
            )
        rating.appointment = appointment
        rating.item = appointment.item
        rating.department_id = appointment.item.department_id
    try:
        with transaction.atomic():
            rating.save()
            if grade in POOR_GRADES:
                _follow_up_open(rating, now)
    except IntegrityError:
        raise _already_rated() from None
    log.info(
        "applications.rated",
        rating_id=str(rating.pk),
        department_id=rating.department_id,
        grade=grade,
    )
    return rating


def _params(item: ServiceItem, user: User, **extra: str) -> dict[str, str | int]:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        return {"item": item.display_name, **extra}


def _follow_up_open(rating: Rating, now: datetime) -> FollowUp:
    due = add_working_days(timezone.localdate(now), follow_up_days())
    follow_up = FollowUp.objects.create(
        rating=rating, department_id=rating.department_id, due_on=due, created_at=now
    )
    for admin in selectors.department_admins(department_id=rating.department_id):
        notify(
            recipient=admin,
            template=notices.POOR_RATING,
            params=_params(rating.item, admin, due=due.isoformat()),
            link=reverse("applications:staff_follow_ups"),
            dedupe_key=f"applications.poor_rating:{rating.pk}",
        )
    return follow_up


def follow_up_answer(
    *, actor: User, follow_up_id: int, answer: str, now: datetime | None = None
) -> FollowUp:
    """The department says what it did; a second answer (after a reopening) closes it."""
    now = now or timezone.now()
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput({"answer": _("Say what was done.")})
    if len(answer) > ANSWER_MAX:
        raise InvalidInput(
            {"answer": _("Write at most %(count)d characters.") % {"count": ANSWER_MAX}}
        )
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("rating__item", "rating__rater")
            .filter(pk=follow_up_id, department_id__in=selectors.staff_department_ids(user=actor))
            .first()
        )
        if follow_up is None:
            raise NotFound()
        if follow_up.state not in (FollowUpState.OPEN, FollowUpState.REOPENED):
            raise ApplicationError(
                "already_answered", _("This follow-up is already answered."), status=409
            )
        follow_up.answer = answer
        follow_up.answered_by = actor
        follow_up.answered_at = now
        follow_up.late = follow_up.late or timezone.localdate(now) > follow_up.due_on
        if follow_up.state == FollowUpState.REOPENED:
            follow_up.state = FollowUpState.CLOSED
            follow_up.closed_at = now
        else:
            follow_up.state = FollowUpState.ANSWERED
        follow_up.save()
        rater = follow_up.rating.rater
        notify(
            recipient=rater,
            template=notices.FOLLOW_UP_ANSWERED,
            params=_params(follow_up.rating.item, rater),
            link=reverse("applications:ratings"),
            dedupe_key=f"applications.follow_up_answered:{follow_up.pk}:{follow_up.state}",
        )
    log.info("applications.follow_up_answered", follow_up_id=follow_up.pk, late=follow_up.late)
    return follow_up


def follow_up_reopen(*, rater: User, follow_up_id: int, reason: str) -> FollowUp:
    """The person says the answer does not settle it; possible once."""
    reason = (reason or "").strip()
    if not reason or len(reason) > COMMENT_MAX:
        raise InvalidInput({"reason": _("Say in up to 500 characters what is still wrong.")})
    now = timezone.now()
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("rating__item")
            .filter(pk=follow_up_id, rating__rater=rater)
            .first()
        )
        if follow_up is None:
            raise NotFound()
        if follow_up.reopened_at is not None:
            raise PermissionDenied(_("A follow-up can be reopened once."), code="reopened_once")
        if follow_up.state != FollowUpState.ANSWERED:
            raise ApplicationError(
                "not_answered", _("It can be reopened once the department answered."), status=409
            )
        follow_up.state = FollowUpState.REOPENED
        follow_up.reopened_at = now
        follow_up.reopen_reason = reason
        follow_up.due_on = add_working_days(timezone.localdate(now), follow_up_days())
        follow_up.save()
        rating = follow_up.rating
        for admin in selectors.department_admins(department_id=follow_up.department_id):
            notify(
                recipient=admin,
                template=notices.FOLLOW_UP_REOPENED,
                params=_params(rating.item, admin, due=follow_up.due_on.isoformat()),
                link=reverse("applications:staff_follow_ups"),
                dedupe_key=f"applications.follow_up_reopened:{follow_up.pk}",
            )
    log.info("applications.follow_up_reopened", follow_up_id=follow_up.pk)
    return follow_up


def follow_up_accept(*, rater: User, follow_up_id: int) -> FollowUp:
    """The person is content with the answer: the follow-up is closed."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .filter(pk=follow_up_id, rating__rater=rater, state=FollowUpState.ANSWERED)
            .first()
        )
        if follow_up is None:
            raise NotFound()
        follow_up.state = FollowUpState.CLOSED
        follow_up.closed_at = timezone.now()
        follow_up.save(update_fields=["state", "closed_at"])
    return follow_up
