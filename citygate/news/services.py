"""Every change in the newsroom: writing, review, publication, corrections and retractions.

Editors are staff who hold `Role.EDITOR`. A story is saved as a draft (every save a new
`StoryRevision` with its full content), submitted, and approved at each review level of
`CITYGATE_NEWS_REVIEW_LEVELS` (初审, 复审, 终审 by default) by a different editor, none of
them the one who saved the version under review. Changing a story under review or waiting
for its time sends it back to draft: review starts again for the new version. The last
approval publishes the story, or schedules it for its `publish_at` (a task enqueued for that
moment, and `manage.py news_publish_due` for cron). A published story is only corrected (a
notice on top, the story otherwise unchanged) or retracted (the body taken down, the notice
in its place); both tell everyone who was sent the story, in a background task.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User
from citygate.accounts.roles import Role
from citygate.applications.files import FileRefused
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.core.logging import get_logger, scrub_text
from citygate.directory.models import District
from citygate.news import covers, notices, richtext
from citygate.news.models import (
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    NewsChannel,
    NewsTag,
    ReviewDecision,
    Story,
    StoryReview,
    StoryRevision,
    StoryState,
)

log = get_logger(__name__)

DEFAULT_REVIEW_LEVELS: tuple[Promise, ...] = (
    _("First review"),
    _("Second review"),
    _("Final review"),
)
BODY_MAX_LENGTH = 100_000
NOTICE_MAX_LENGTH = 1_000
COMMENT_MAX_LENGTH = 500
BYLINE_MAX_LENGTH = 100
COVER_ALT_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 200
# People told of a correction per transaction: a story pushed to the whole city reaches
# hundreds of thousands, and one transaction for all of them would hold the database.
RECIPIENT_BATCH = 500
EDITABLE_STATES = frozenset({StoryState.DRAFT, StoryState.IN_REVIEW, StoryState.SCHEDULED})

_IMAGE_NEEDS_ALT = _(
    'Give every image a description: alt="what it shows" (alt="" for a decorative one).'
)
_COVER_REFUSED = {
    "empty": _("The file is empty."),
    "size": _("A cover image may be at most 5 MB."),
    "type": _("A cover must be a JPEG, PNG or WebP image."),
    "mismatch": _("The file's name does not match what it contains."),
}


def review_levels() -> list[str]:
    """The review levels' labels, in order, in the current language."""
    from django.utils.translation import gettext

    labels: Sequence[str | Promise] = getattr(
        settings, "CITYGATE_NEWS_REVIEW_LEVELS", DEFAULT_REVIEW_LEVELS
    )
    return [gettext(label) if isinstance(label, str) else str(label) for label in labels]


def is_editor(user: object) -> bool:
    """Whether this is an active member of staff holding the editor role."""
    if not isinstance(user, User) or not user.is_active or not user.is_staff_member:
        return False
    return any(role.role == Role.EDITOR for role in user.staff_roles.all())


def _require_editor(user: User) -> None:
    if not is_editor(user):
        raise PermissionDenied(_("Only editors may do this."), code="not_editor")


@dataclass(frozen=True)
class StoryInput:
    """What an editor writes; the lists name channels and tags by slug, districts by code."""

    title: str
    body: str
    channel: str
    summary: str = ""
    tags: Sequence[str] = ()
    districts: Sequence[str] = ()
    language: str = "zh-hans"
    source: str = ""
    author: str = ""
    cover_alt: str = ""
    publish_at: datetime | None = None
    note: str = ""


@dataclass
class _Cleaned:
    values: dict[str, Any]
    channel: NewsChannel | None = None
    tags: list[NewsTag] = field(default_factory=list)
    districts: list[District] = field(default_factory=list)


def _text(
    value: str,
    name: str,
    limit: int,
    errors: dict[str, str | Promise],
    *,
    required: bool = False,
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _clean(data: StoryInput, *, has_cover: bool, now: datetime) -> _Cleaned:
    errors: dict[str, str | Promise] = {}
    values: dict[str, Any] = {
        "title": _text(data.title, "title", TITLE_MAX_LENGTH, errors, required=True),
        "summary": _text(data.summary, "summary", SUMMARY_MAX_LENGTH, errors),
        "source": _text(data.source, "source", BYLINE_MAX_LENGTH, errors),
        "author": _text(data.author, "author", BYLINE_MAX_LENGTH, errors),
        "cover_alt": _text(data.cover_alt, "cover_alt", COVER_ALT_MAX_LENGTH, errors),
    }
    if "title" not in errors and scrub_text(values["title"]) != values["title"]:
        # The title travels in notices to people's inboxes, which never carry such numbers.
        errors["title"] = _("A title must not hold a phone or ID number.")
    body = richtext.sanitise(data.body or "")
    if len(body) > BODY_MAX_LENGTH:
        errors["body"] = _("The story is too long.")
    elif not richtext.plain_text(body):
        errors["body"] = _("This field is required.")
    elif richtext.images_without_alt(body):
        errors["body"] = _IMAGE_NEEDS_ALT
    values["body"] = body
    if has_cover and not values["cover_alt"] and "cover_alt" not in errors:
        errors["cover_alt"] = _("Describe the cover image for people who cannot see it.")
    if data.language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = _("Choose one of the listed languages.")
    values["language"] = data.language
    if data.publish_at is not None and data.publish_at <= now:
        errors["publish_at"] = _("Choose a time in the future, or leave it empty.")
    values["publish_at"] = data.publish_at

    cleaned = _Cleaned(values=values)
    cleaned.channel = NewsChannel.objects.filter(slug=data.channel).first()
    if cleaned.channel is None:
        errors["channel"] = _("Choose one of the listed channels.")
    tag_slugs = set(data.tags)
    cleaned.tags = list(NewsTag.objects.filter(slug__in=tag_slugs))
    if len(cleaned.tags) != len(tag_slugs):
        errors["tags"] = _("Choose from the listed tags.")
    codes = set(data.districts)
    cleaned.districts = list(District.objects.filter(code__in=codes))
    if len(cleaned.districts) != len(codes):
        errors["districts"] = _("Choose from the listed districts.")
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}
    values["note"] = note
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _cover(upload: UploadedFile[bytes] | None) -> str | None:
    """The stored name of a new cover, None when none was given; refusals name the field."""
    if upload is None:
        return None
    try:
        extension, data = covers.cover_check(upload, upload.name or "", upload.size or 0)
    except FileRefused as refused:
        raise InvalidInput({"cover": _COVER_REFUSED[refused.reason]}) from None
    return covers.cover_store(extension=extension, data=data)


@contextmanager
def _covers_discarded_on_failure(stored: list[str]) -> Iterator[None]:
    """Deletes the covers stored in the block if it fails, so that a rolled-back save leaves
    no file behind (a transaction the caller rolls back later is not seen here)."""
    try:
        yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        log.info("news.covers_discarded", count=len(stored))
        raise


def story_content(story: Story) -> dict[str, Any]:
    """What a revision keeps: the story's fields as saved."""
    return {
        "title": story.title,
        "summary": story.summary,
        "body": story.body,
        "cover": story.cover,
        "cover_alt": story.cover_alt,
        "channel": story.channel.slug,
        "tags": sorted(tag.slug for tag in story.tags.all()),
        "districts": sorted(district.code for district in story.districts.all()),
        "language": story.language,
        "source": story.source,
        "author": story.author,
        "publish_at": story.publish_at.isoformat() if story.publish_at else None,
        "correction": story.correction,
        "retraction": story.retraction,
    }


def _revision_add(story: Story, editor: User, note: str, now: datetime) -> StoryRevision:
    return StoryRevision.objects.create(
        story=story,
        version=story.version,
        content=story_content(story),
        note=note[:NOTE_MAX_LENGTH],
        editor=editor,
        created_at=now,
    )


def _apply(story: Story, cleaned: _Cleaned) -> None:
    for name in ("title", "summary", "body", "source", "author", "cover_alt", "language"):
        setattr(story, name, cleaned.values[name])
    story.publish_at = cleaned.values["publish_at"]
    assert cleaned.channel is not None  # noqa: S101 - _clean raised otherwise
    story.channel = cleaned.channel


def story_create(
    *,
    editor: User,
    data: StoryInput,
    cover: UploadedFile[bytes] | None = None,
    now: datetime | None = None,
) -> Story:
    """A new draft, version 1, with its first revision."""
    _require_editor(editor)
    now = now or timezone.now()
    cleaned = _clean(data, has_cover=cover is not None, now=now)
    cover_name = _cover(cover)
    with _covers_discarded_on_failure([cover_name] if cover_name else []), transaction.atomic():
        story = Story(created_by=editor, created_at=now, updated_at=now, version=1)
        _apply(story, cleaned)
        story.cover = cover_name or ""
        story.save(force_insert=True)
        story.tags.set(cleaned.tags)
        story.districts.set(cleaned.districts)
        _revision_add(story, editor, cleaned.values["note"], now)
    log.info("news.story_created", story_id=str(story.pk), editor_id=str(editor.pk))
    return story


def _locked(story_id: uuid.UUID | str) -> Story:
    try:
        key = story_id if isinstance(story_id, uuid.UUID) else uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound(_("There is no such story.")) from None
    story = Story.objects.select_for_update().select_related("channel").filter(pk=key).first()
    if story is None:
        raise NotFound(_("There is no such story."))
    return story


def _check_version(story: Story, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != story.version:
        raise ApplicationError(
            "story_changed",
            _("Someone saved a newer version of this story meanwhile. Reload it first."),
            status=409,
        )


def story_update(
    *,
    editor: User,
    story_id: uuid.UUID | str,
    data: StoryInput,
    cover: UploadedFile[bytes] | None = None,
    remove_cover: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Story:
    """A new version of a story not yet published; review, if under way, starts again."""
    _require_editor(editor)
    now = now or timezone.now()
    stored: list[str] = []
    with _covers_discarded_on_failure(stored), transaction.atomic():
        story = _locked(story_id)
        if story.state not in EDITABLE_STATES:
            raise ApplicationError(
                "story_not_editable",
                _("A published story is not edited: correct or retract it instead."),
                status=409,
            )
        _check_version(story, expected_version)
        keeps_cover = bool(story.cover) and not remove_cover
        cleaned = _clean(data, has_cover=cover is not None or keeps_cover, now=now)
        cover_name = _cover(cover)
        stored.extend([cover_name] if cover_name else [])
        _apply(story, cleaned)
        if cover_name is not None:
            story.cover = cover_name
        elif remove_cover:
            story.cover, story.cover_alt = "", ""
        restarted = story.state != StoryState.DRAFT or story.reviewed_level > 0
        story.state = StoryState.DRAFT
        story.reviewed_level = 0
        story.version += 1
        story.updated_at = now
        story.save()
        story.tags.set(cleaned.tags)
        story.districts.set(cleaned.districts)
        _revision_add(story, editor, cleaned.values["note"], now)
    log.info(
        "news.story_updated",
        story_id=str(story.pk),
        version=story.version,
        editor_id=str(editor.pk),
        review_restarted=restarted,
    )
    return story


def story_submit_for_review(
    *, editor: User, story_id: uuid.UUID | str, expected_version: int | None = None
) -> Story:
    """Sends the draft to the first review level."""
    _require_editor(editor)
    with transaction.atomic():
        story = _locked(story_id)
        if story.state != StoryState.DRAFT:
            raise ApplicationError(
                "story_not_draft", _("Only a draft can be sent for review."), status=409
            )
        _check_version(story, expected_version)
        now = timezone.now()
        if StoryReview.objects.filter(story=story, version=story.version).exists():
            # Returned and sent again unchanged: review starts over on a version of its own,
            # saved by whoever sends it, so no decision on the returned one stands in its way.
            story.version += 1
            _revision_add(story, editor, "resubmitted", now)
        story.state = StoryState.IN_REVIEW
        story.reviewed_level = 0
        story.updated_at = now
        story.save(update_fields=["state", "reviewed_level", "version", "updated_at"])
    log.info("news.story_submitted", story_id=str(story.pk), version=story.version)
    return story


def _version_author_id(story: Story) -> uuid.UUID | None:
    return (
        StoryRevision.objects.filter(story=story, version=story.version)
        .values_list("editor_id", flat=True)
        .first()
    )


def _writer_ids(story: Story) -> set[uuid.UUID]:
    """Who wrote what is under review: the story's creator and everyone who saved a version
    since the one last published."""
    revisions = StoryRevision.objects.filter(story=story)
    if story.published_version is not None:
        revisions = revisions.filter(version__gt=story.published_version)
    return {story.created_by_id, *revisions.values_list("editor_id", flat=True)}


def review_refusal(*, reviewer: User, story: Story) -> ApplicationError | None:
    """Why this editor may not review the story's current version now, or None if they may."""
    if story.state != StoryState.IN_REVIEW:
        return ApplicationError(
            "story_not_in_review", _("This story is not waiting for review."), status=409
        )
    if _version_author_id(story) == reviewer.pk:
        return PermissionDenied(
            _("You saved this version: another editor has to review it."),
            code="reviewer_is_author",
        )
    if reviewer.pk in _writer_ids(story):
        return PermissionDenied(
            _("You wrote or changed this story since it was last published: others review it."),
            code="reviewer_is_author",
        )
    approved_before = StoryReview.objects.filter(
        story=story,
        version=story.version,
        reviewer=reviewer,
        decision=ReviewDecision.APPROVE,
    ).exists()
    if approved_before:
        return PermissionDenied(
            _("You approved this version at an earlier level: each level needs another editor."),
            code="reviewer_already_reviewed",
        )
    return None


def story_review(
    *,
    reviewer: User,
    story_id: uuid.UUID | str,
    level: int,
    decision: str,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Story:
    """One level's decision: approve (the last level publishes or schedules) or return."""
    _require_editor(reviewer)
    now = now or timezone.now()
    comment = (comment or "").strip()
    errors: dict[str, str | Promise] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = _("Choose approve or return.")
    if decision == ReviewDecision.RETURN and not comment:
        errors["comment"] = _("Say what has to change.")
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("At most %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH}
    if errors:
        raise InvalidInput(errors)

    levels = review_levels()
    with transaction.atomic():
        story = _locked(story_id)
        _check_version(story, expected_version)
        refusal = review_refusal(reviewer=reviewer, story=story)
        if refusal is not None:
            raise refusal
        if level != story.reviewed_level + 1:
            raise ApplicationError(
                "review_wrong_level",
                _("This story waits for review at another level."),
                status=409,
            )
        try:
            with transaction.atomic():
                StoryReview.objects.create(
                    story=story,
                    version=story.version,
                    level=level,
                    reviewer=reviewer,
                    decision=decision,
                    comment=comment,
                    decided_at=now,
                )
        except IntegrityError:
            raise ApplicationError(
                "review_already_decided",
                _("This level was already decided for this version. Reload the story."),
                status=409,
            ) from None
        if decision == ReviewDecision.RETURN:
            story.state = StoryState.DRAFT
            story.reviewed_level = 0
        else:
            story.reviewed_level = level
            if level >= len(levels):
                _approved(story, now)
        story.updated_at = now
        story.save()
    log.info(
        "news.story_reviewed",
        story_id=str(story.pk),
        version=story.version,
        level=level,
        decision=decision,
        reviewer_id=str(reviewer.pk),
    )
    return story


def _approved(story: Story, now: datetime) -> None:
    """Passed every level: published now, or at its time."""
    if story.publish_at is None or story.publish_at <= now:
        _publish(story, now)
        return
    story.state = StoryState.SCHEDULED
    story_id, run_after = str(story.pk), story.publish_at

    def enqueue() -> None:
        from citygate.news.tasks import story_publish_due

        task = story_publish_due
        # A backend that cannot defer (the immediate one of development and tests) runs it
        # at once, when it publishes nothing yet: the cron command publishes it in time.
        if task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(story_id=story_id)

    transaction.on_commit(enqueue)


def _publish(story: Story, now: datetime) -> None:
    story.state = StoryState.PUBLISHED
    story.published_at = now
    story.published_version = story.version
    log.info("news.story_published", story_id=str(story.pk), version=story.version)


def story_publish(*, story_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Publishes a scheduled story whose time has come; False (and nothing done) otherwise,
    so the task and the cron command may both run it."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            story = _locked(story_id)
        except NotFound:
            return False
        if story.state != StoryState.SCHEDULED or (story.publish_at and story.publish_at > now):
            return False
        _publish(story, now)
        story.updated_at = now
        story.save()
    return True


def stories_publish_due(*, now: datetime | None = None) -> int:
    """Publishes every scheduled story that is due; how many were."""
    now = now or timezone.now()
    due = Story.objects.filter(state=StoryState.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(story_publish(story_id=story_id, now=now) for story_id in list(due))


def _notice_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"notice": _("This field is required.")})
    if len(text) > NOTICE_MAX_LENGTH:
        raise InvalidInput(
            {"notice": _("At most %(limit)d characters.") % {"limit": NOTICE_MAX_LENGTH}}
        )
    return text


def _tell_recipients_on_commit(story: Story, template: str, dedupe_key: str) -> None:
    story_id = str(story.pk)

    def enqueue() -> None:
        from citygate.news.tasks import story_recipients_tell

        story_recipients_tell.enqueue(story_id=story_id, template=template, dedupe_key=dedupe_key)

    transaction.on_commit(enqueue)


def story_correct(
    *,
    editor: User,
    story_id: uuid.UUID | str,
    notice: str,
    now: datetime | None = None,
) -> Story:
    """Puts a correction notice on a published story and tells those who were sent it. The
    published text itself is never changed here: a text that is wrong is retracted, and the
    right one written as a new story, which goes through every review level."""
    _require_editor(editor)
    now = now or timezone.now()
    text = _notice_text(notice)
    with transaction.atomic():
        story = _locked(story_id)
        if story.state != StoryState.PUBLISHED:
            raise ApplicationError(
                "story_not_published", _("Only a published story can be corrected."), status=409
            )
        story.correction = text
        story.corrected_at = now
        story.version += 1
        story.published_version = story.version
        story.updated_at = now
        story.save()
        _revision_add(story, editor, "correction", now)
        _tell_recipients_on_commit(
            story, notices.STORY_CORRECTED, f"news.story:{story.pk}:correction:{story.version}"
        )
    log.info("news.story_corrected", story_id=str(story.pk), version=story.version)
    return story


def story_retract(
    *,
    editor: User,
    story_id: uuid.UUID | str,
    notice: str,
    now: datetime | None = None,
) -> Story:
    """Takes a published story down: its title and the notice stay, its history keeps the rest."""
    _require_editor(editor)
    now = now or timezone.now()
    text = _notice_text(notice)
    with transaction.atomic():
        story = _locked(story_id)
        if story.state != StoryState.PUBLISHED:
            raise ApplicationError(
                "story_not_published", _("Only a published story can be retracted."), status=409
            )
        story.retraction = text
        story.retracted_at = now
        story.version += 1
        # The revision keeps what was taken down; the story row no longer shows it.
        _revision_add(story, editor, "retraction", now)
        story.state = StoryState.RETRACTED
        story.body, story.summary, story.cover, story.cover_alt = "", "", "", ""
        story.updated_at = now
        story.save()
        _tell_recipients_on_commit(
            story, notices.STORY_RETRACTED, f"news.story:{story.pk}:retraction"
        )
    log.info("news.story_retracted", story_id=str(story.pk))
    return story


def story_recipients_tell(*, story_id: uuid.UUID | str, template: str, dedupe_key: str) -> int:
    """Tells everyone who was sent the story of its correction or retraction, in batches;
    how many were told now (someone told before, by a retried task, is not told again)."""
    from citygate.inbox.selectors import recipients_of
    from citygate.inbox.services import notify

    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return 0
    subject = f"news.story:{story.pk}"
    told = 0
    after = None
    while True:
        people = recipients_of(subject=subject).order_by("pk")
        if after is not None:
            people = people.filter(pk__gt=after)
        batch = list(people[:RECIPIENT_BATCH])
        if not batch:
            break
        with transaction.atomic():
            for person in batch:
                message = notify(
                    recipient=person,
                    template=template,
                    params={"title": story.title},
                    link=f"/news/{story.pk}/",
                    dedupe_key=dedupe_key,
                    subject=subject,
                )
                told += message is not None
        after = batch[-1].pk
    log.info("news.story_recipients_told", story_id=str(story.pk), template=template, told=told)
    return told


def story_opened(*, story_id: uuid.UUID) -> None:
    """Counts an opening of a public story: one UPDATE, no read, no lock held."""
    Story.objects.filter(pk=story_id, state=StoryState.PUBLISHED).update(opens=F("opens") + 1)
