"""Changes to a person's feed: the switch, the tags they follow or delete, their home
district, and what they read.

Reading is recorded only for a signed-in adult with personalisation on: an anonymous visitor,
a minor (PIPL Art.28, 31) or someone who switched personalisation off leaves no trace of what
they read. Log lines carry ids only, and never join a person to a topic or a story they read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.accounts.selectors import is_minor
from citygate.accounts.services import (
    user_home_district_set,
    user_home_place_set,
    user_home_street_clear,
)
from citygate.core.errors import ApplicationError, InvalidInput, NotFound
from citygate.core.logging import get_logger
from citygate.directory.models import District, Street
from citygate.directory.selectors import street_by_code
from citygate.feed import ranking, selectors
from citygate.feed.models import InterestTag, RecommendationSettings, StoryOpen, TagSource
from citygate.feed.tags import may_follow, may_learn
from citygate.news.models import NewsTag, Story, StoryState

log = get_logger(__name__)

# One view of a story counts at most half an hour of reading (a tab left open says nothing
# more), and a story at most two hours in all.
VIEW_SECONDS_MAX = 30 * 60
STORY_SECONDS_MAX = 2 * 60 * 60
# The readings learning looks at: the person's latest opens of the last 90 days.
LEARN_WINDOW_DAYS = 90
LEARN_OPENS_MAX = 500
# A view token is good for two hours: a view counts at most half an hour, and a page left
# open longer reports nothing more. The views of a story counted are kept (the latest
# VIEWS_KEPT), so two old tokens sent by turns do not count again.
VIEW_SIGNING_NAMESPACE = "citygate.feed.reading"
VIEW_TOKEN_MAX_AGE = 2 * 60 * 60
VIEWS_KEPT = 64
# The longest tag slug, district and street code stored (news.NewsTag.slug, directory.District
# .code, directory.Street.code).
SLUG_MAX = 32
DISTRICT_CODE_MAX = 12
STREET_CODE_MAX = 12


def _minor_refused() -> ApplicationError:
    return ApplicationError(
        "personalisation_not_for_minors",
        _("A personalised feed is not offered to minors: the feed is the same for everyone."),
        fields={"personalized": _("A personalised feed is not offered to minors.")},
        status=403,
    )


def minor_readings_forget(*, user: User) -> bool:
    """For a person known to be a minor (accounts.selectors.is_minor, which learns it only
    when their ID number is verified): what was learned from their reading before that, the
    reading itself and the learned tags, is deleted, so it is never used. Their own followed
    and deleted tags stay. True when the person is a minor. Called whenever the feed reads
    about the person."""
    if not is_minor(user=user):  # from the person's row: no query
        return False
    with transaction.atomic():
        _lock_person(user)
        opens, _ = StoryOpen.objects.filter(user=user).delete()
        learned = InterestTag.objects.filter(user=user, source=TagSource.LEARNED, suppressed=False)
        tags, _ = learned.delete()
    if opens or tags:
        log.info("feed.minor_readings_forgotten", user_id=str(user.pk), opens=opens, tags=tags)
    return True


def recommendation_set(*, user: User, personalized: bool) -> RecommendationSettings:
    """Switches personalisation on or off; off takes effect with the next page of the feed."""
    if personalized and selectors.personalisation(user=user).minor:
        raise _minor_refused()
    with transaction.atomic():
        _lock_person(user)
        settings, _created = RecommendationSettings.objects.update_or_create(
            user=user, defaults={"personalized": personalized, "updated_at": timezone.now()}
        )
    log.info("feed.personalisation_set", user_id=str(user.pk), personalized=personalized)
    return settings


def _plausible(value: object, max_length: int) -> bool:
    """Whether the value could be a stored key at all: text of that length without a NUL
    (which PostgreSQL refuses with an error), so that anything else never reaches a query."""
    return isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value


def _tag(slug: str, field: str) -> NewsTag:
    tag = NewsTag.objects.filter(slug=slug).first() if _plausible(slug, SLUG_MAX) else None
    if tag is None or not may_follow(tag.slug):
        raise InvalidInput({field: _("There is no such tag.")})
    return tag


def _lock_person(user: User) -> None:
    """Takes one person's feed changes one at a time (inside a transaction): the reading
    beacon learning tags and the person following or deleting them write the same rows."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _follow(user: User, tag: NewsTag, now: datetime) -> None:
    values = {"source": TagSource.DECLARED, "weight": 1.0, "suppressed": False, "updated_at": now}
    InterestTag.objects.update_or_create(
        user=user, tag=tag, defaults=values, create_defaults={**values, "created_at": now}
    )


def _suppress(user: User, tag: NewsTag, now: datetime) -> None:
    # The row stays with weight 0, so reading about the topic does not bring it back. A topic
    # deleted before it was ever used is kept out the same way.
    values = {"suppressed": True, "weight": 0.0, "updated_at": now}
    InterestTag.objects.update_or_create(
        user=user,
        tag=tag,
        defaults=values,
        create_defaults={**values, "source": TagSource.LEARNED, "created_at": now},
    )


def interest_tag_follow(*, user: User, slug: str) -> None:
    """The person follows a tag (again, if they had deleted it)."""
    tag = _tag(slug, "tag")
    with transaction.atomic():
        _lock_person(user)
        _follow(user, tag, timezone.now())
    log.info("feed.tag_followed", user_id=str(user.pk))


def interest_tag_delete(*, user: User, slug: str) -> None:
    """The person deletes a tag used for them, followed or learned: it is no longer used and
    never learned again (until they follow it themselves)."""
    tag = _tag(slug, "tag")
    with transaction.atomic():
        _lock_person(user)
        _suppress(user, tag, timezone.now())
    log.info("feed.tag_deleted", user_id=str(user.pk))


def interest_tags_keep(*, user: User, slugs: Sequence[str]) -> None:
    """The full list of tags the person keeps, as followed tags: each listed tag is followed;
    every tag used for them now that is not listed (followed or learned) is deleted."""
    errors: dict[str, str | Promise] = {}
    kept: dict[int, NewsTag] = {}
    for index, slug in enumerate(slugs):
        try:
            tag = _tag(slug, f"tags.{index}")
        except InvalidInput as error:
            errors.update(error.fields)
            continue
        kept[tag.pk] = tag
    if errors:
        raise InvalidInput(errors)

    now = timezone.now()
    with transaction.atomic():
        _lock_person(user)
        in_use = InterestTag.objects.filter(user=user, suppressed=False).select_related("tag")
        for row in in_use:
            if row.tag_id not in kept:
                _suppress(user, row.tag, now)
        for tag in kept.values():
            _follow(user, tag, now)
    log.info("feed.tags_kept", user_id=str(user.pk), count=len(kept))


def home_district_set(*, user: User, code: str | None) -> User:
    """The district the person says they live in, by its code; empty for none. Their street
    is kept when it is in that district, and forgotten otherwise."""
    return user_home_district_set(user=user, district=_district(code) if code else None)


def home_place_set(*, user: User, district: str | None, street: str | None) -> User:
    """The district and the street or town of it the person lives in, by their codes.

    A street with no district says its district; a street of another district than the one
    given is refused by name. Empty values: they would rather not say.
    """
    found_district, found_street = _place(user, district, street)
    return user_home_place_set(user=user, district=found_district, street=found_street)


def _place(
    user: User, district: str | None, street: str | None
) -> tuple[District | None, Street | None]:
    """Both found, or an error naming each field that is wrong."""
    errors: dict[str, str | Promise] = {}
    found_district = found_street = None
    try:
        found_district = _district(district) if district else None
    except InvalidInput as error:
        errors.update(error.fields)
    try:
        found_street = _street(user, street) if street else None
    except InvalidInput as error:
        errors.update(error.fields)
    if found_street is not None and not errors:
        if found_district is None:
            found_district = found_street.district
        elif found_street.district_id != found_district.pk:
            errors["street"] = _("Choose a street or town of the district you chose.")
    if errors:
        raise InvalidInput(errors)
    return found_district, found_street


def _district(code: str) -> District:
    found = _plausible(code, DISTRICT_CODE_MAX)
    district = District.objects.filter(code=code).first() if found else None
    if district is None:
        raise InvalidInput({"district": _("Choose one of the listed districts.")})
    return district


def _street(user: User, code: str) -> Street:
    """A street offered today, or the person's own one that a newer edition has retired
    (they keep it until they choose another)."""
    found = _plausible(code, STREET_CODE_MAX)
    street = street_by_code(code=code) if found else None
    if street is None and found and user.home_street_id is not None:
        street = (
            Street.objects.filter(pk=user.home_street_id, code=code)
            .select_related("district")
            .first()
        )
    if street is None:
        raise InvalidInput({"street": _("Choose one of the listed streets and towns.")})
    return street


def recommendation_update(
    *,
    user: User,
    personalized: bool | None = None,
    tags: Sequence[str] | None = None,
    district: str | None = None,
    district_given: bool = False,
    street: str | None = None,
    street_given: bool = False,
) -> None:
    """The settings page's and the API's change in one: what is given changes, all of it or
    (with any error, every one named by its field) none of it. A street given alone says
    its district; clearing the street alone keeps the district."""
    errors: dict[str, str | Promise] = {}
    if personalized and selectors.personalisation(user=user).minor:
        raise _minor_refused()
    if tags is not None:
        for index, slug in enumerate(tags):
            try:
                _tag(slug, f"tags.{index}")
            except InvalidInput as error:
                errors.update(error.fields)
    found_district = found_street = None
    if district_given or street_given:
        try:
            found_district, found_street = _place(
                user, district if district_given else None, street if street_given else None
            )
        except InvalidInput as error:
            errors.update(error.fields)
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        if personalized is not None:
            recommendation_set(user=user, personalized=personalized)
        if tags is not None:
            interest_tags_keep(user=user, slugs=tags)
        if found_street is not None or (street_given and district_given):
            user_home_place_set(user=user, district=found_district, street=found_street)
        elif street_given:
            user_home_street_clear(user=user)
        elif district_given:
            user_home_district_set(user=user, district=found_district)


# --- Reading ---------------------------------------------------------------------------------


def view_token(*, user: User, story_id: object) -> str:
    """A token for one view of a story by one person: the story page hands it to the reading
    beacon, which sends it back with the seconds read. It names the view (so a repeated report
    adds nothing) and proves the report comes from our own page (a beacon cannot carry the
    CSRF header)."""
    payload = {"u": str(user.pk), "s": str(story_id), "v": uuid.uuid4().hex}
    return signing.dumps(payload, salt=VIEW_SIGNING_NAMESPACE, compress=False)


def _view_from_token(token: str, user: User, story_id: object) -> str:
    try:
        payload = signing.loads(token, salt=VIEW_SIGNING_NAMESPACE, max_age=VIEW_TOKEN_MAX_AGE)
    except signing.BadSignature:
        payload = None
    if (
        not isinstance(payload, dict)
        or payload.get("u") != str(user.pk)
        or payload.get("s") != str(story_id)
        or not isinstance(payload.get("v"), str)
    ):
        raise InvalidInput({"view": _("This view of the story is not known. Reload the page.")})
    return str(payload["v"])[:32]


def _readable_story(story_id: object) -> Story:
    try:
        key = uuid.UUID(str(story_id))
    except ValueError:
        key = None
    story = (
        Story.objects.filter(pk=key, state=StoryState.PUBLISHED).first()
        if key is not None
        else None
    )
    if story is None:
        raise NotFound(_("There is no such story."))
    return story


def story_reading_record(
    *, user: User, story_id: object, seconds: int, view_token: str | None = None
) -> StoryOpen | None:
    """Records that the person opened a story and how long it was visible.

    With a view token, the seconds are those of that view so far: reported again, only what
    was added counts. Without one (an API client's own report), the story's seconds become at
    least the number given, so a repeated report changes nothing either. Returns None when
    nothing is recorded (a minor, or personalisation off).
    """
    story = _readable_story(story_id)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise InvalidInput({"seconds": _("Enter a whole number of seconds, 0 or more.")})
    view = _view_from_token(view_token, user, story.pk) if view_token is not None else ""
    if minor_readings_forget(user=user) or not selectors.personalisation(user=user).active:
        return None
    seconds = min(seconds, VIEW_SECONDS_MAX)

    now = timezone.now()
    with transaction.atomic():
        # One person's reports are taken one at a time (a beacon may come twice at once), and
        # with their own changes; the switch is read again under the lock, in case it was
        # turned off meanwhile.
        _lock_person(user)
        if not selectors.personalisation(user=user).active:
            return None
        opened, created = StoryOpen.objects.get_or_create(
            user=user, story=story, defaults={"opened_at": now, "updated_at": now}
        )
        if created:
            Story.objects.filter(pk=story.pk).update(opens=F("opens") + 1)
        _add_seconds(opened, view, seconds, now)
        learned_tags_refresh(user=user, now=now)
    # The story alone, not who read it: what a person reads stays out of the logs.
    log.info("feed.story_read", story_id=str(story.pk), new=created)
    return opened


def _add_seconds(opened: StoryOpen, view: str, seconds: int, now: datetime) -> None:
    if not view:
        opened.seconds = max(opened.seconds, seconds)
    else:
        views = opened.views if isinstance(opened.views, dict) else {}
        counted = views.pop(view, 0)
        opened.seconds += max(0, seconds - counted)
        views[view] = max(counted, seconds)
        # The oldest views go first; a token older than the oldest kept is refused by age.
        opened.views = dict(list(views.items())[-VIEWS_KEPT:])
    opened.seconds = min(opened.seconds, STORY_SECONDS_MAX)
    opened.updated_at = now
    opened.save(update_fields=["seconds", "views", "updated_at"])


def learned_tags_refresh(*, user: User, now: datetime | None = None) -> None:
    """Works the person's learned tags out again from their opens and reading time alone.

    A followed tag stays followed; a deleted one stays deleted; a tag that may not be learned
    (tags.py) is never added.
    """
    now = now or timezone.now()
    opens = (
        StoryOpen.objects.filter(user=user, opened_at__gte=now - timedelta(days=LEARN_WINDOW_DAYS))
        .order_by("-opened_at")
        .prefetch_related("story__tags")[:LEARN_OPENS_MAX]
    )
    readings = [
        ranking.Reading(
            tags=frozenset(t.slug for t in o.story.tags.all()),
            opened_at=o.opened_at,
            seconds=o.seconds,
        )
        for o in opens
    ]
    weights = ranking.learned_weights(readings, now)
    existing = {
        row.tag.slug: row for row in InterestTag.objects.filter(user=user).select_related("tag")
    }
    new_slugs = [
        slug
        for slug, weight in weights.items()
        if slug not in existing and weight >= ranking.LEARNED_MIN and may_learn(slug)
    ]
    for tag in NewsTag.objects.filter(slug__in=new_slugs):
        InterestTag.objects.create(
            user=user,
            tag=tag,
            source=TagSource.LEARNED,
            weight=weights[tag.slug],
            created_at=now,
            updated_at=now,
        )
    for slug, row in existing.items():
        if row.source != TagSource.LEARNED or row.suppressed:
            continue
        weight = weights.get(slug, 0.0)
        if weight < ranking.LEARNED_MIN:
            # Faded out of use: not kept about the person any more.
            row.delete()
            continue
        row.weight, row.updated_at = weight, now
        row.save(update_fields=["weight", "updated_at"])
