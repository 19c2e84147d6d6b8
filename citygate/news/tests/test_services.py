"""The newsroom's services: writing, the four-eyes rule at every level, scheduling,
corrections and retractions that reach the people who were sent the story."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.tests.helpers import CaptureOnCommit
from citygate.core.errors import ApplicationError, InvalidInput, PermissionDenied
from citygate.inbox.models import Message
from citygate.inbox.services import notify
from citygate.news import services
from citygate.news.models import Story, StoryReview, StoryRevision, StoryState
from citygate.news.tests.conftest import editor_named, story_input

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def pushed(story: Story, person: User) -> None:
    """What a push campaign leaves behind: a message about the story in the person's inbox."""
    notify(
        recipient=person,
        template="system.notice",
        params={"subject": "news"},
        subject=f"news.story:{story.pk}",
    )


# --- Writing ----------------------------------------------------------------------------------


def test_story_create_saves_version_one_with_its_revision(author: User) -> None:
    # when
    story = services.story_create(editor=author, data=story_input())

    # then
    assert story.state == StoryState.DRAFT
    assert story.version == 1
    revision = story.revisions.get()
    assert revision.version == 1
    assert revision.editor == author
    assert revision.content["title"] == "地铁新线路下月开通"
    assert revision.content["tags"] == ["transport"]


def test_story_create_by_a_resident_is_refused(resident: User) -> None:
    with pytest.raises(PermissionDenied) as refused:
        services.story_create(editor=resident, data=story_input())
    assert refused.value.code == "not_editor"
    assert not Story.objects.exists()


def test_story_create_names_every_wrong_field_at_once(author: User) -> None:
    # when
    with pytest.raises(InvalidInput) as refused:
        services.story_create(
            editor=author,
            data=story_input(
                title="",
                body="<script>alert(1)</script>",
                channel="nope",
                tags=["transport", "religion"],
                districts=["999999"],
                language="fr",
                publish_at=timezone.now() - timedelta(hours=1),
            ),
        )

    # then
    assert set(refused.value.fields) == {
        "title",
        "body",
        "channel",
        "tags",
        "districts",
        "language",
        "publish_at",
    }
    assert not Story.objects.exists()


def test_a_title_holding_a_phone_number_is_refused(author: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.story_create(editor=author, data=story_input(title="咨询请拨 13912345678"))
    assert "title" in refused.value.fields


def test_every_save_sanitises_the_body(author: User, draft: Story) -> None:
    # when
    story = services.story_update(
        editor=author,
        story_id=draft.pk,
        data=story_input(body='<p onclick="steal()">正文<script>x()</script></p>'),
    )

    # then
    assert story.body == "<p>正文</p>"
    assert story.revisions.get(version=2).content["body"] == "<p>正文</p>"


def test_an_image_without_its_description_is_refused(author: User) -> None:
    # given
    image = '<img src="/news/media/0123456789abcdef0123456789abcdef.jpg">'

    # when
    with pytest.raises(InvalidInput) as refused:
        services.story_create(editor=author, data=story_input(body=f"<p>文</p>{image}"))

    # then
    assert set(refused.value.fields) == {"body"}
    described = image.replace("<img ", '<img alt="新站台" ')
    story = services.story_create(editor=author, data=story_input(body=f"<p>文</p>{described}"))
    assert 'alt="新站台"' in story.body


def test_story_update_bumps_the_version_and_keeps_the_old_one(author: User, draft: Story) -> None:
    # when
    story = services.story_update(
        editor=author, story_id=draft.pk, data=story_input(title="新标题"), expected_version=1
    )

    # then
    assert story.version == 2
    assert [r.version for r in story.revisions.all()] == [2, 1]
    assert story.revisions.get(version=1).content["title"] == "地铁新线路下月开通"


def test_story_update_of_an_older_version_is_refused(author: User, draft: Story) -> None:
    services.story_update(editor=author, story_id=draft.pk, data=story_input(title="二"))
    with pytest.raises(ApplicationError) as refused:
        services.story_update(
            editor=author, story_id=draft.pk, data=story_input(title="三"), expected_version=1
        )
    assert refused.value.code == "story_changed"


def test_a_cover_is_checked_by_its_bytes_and_stored_under_news(author: User) -> None:
    # given
    cover = SimpleUploadedFile("cover.webp", WEBP, content_type="image/webp")

    # when
    story = services.story_create(
        editor=author, data=story_input(cover_alt="地铁站台"), cover=cover
    )

    # then
    assert story.cover.startswith("news/")
    assert story.cover.endswith(".webp")
    assert default_storage.open(story.cover).read() == WEBP


def _stored_covers() -> set[str]:
    return set(default_storage.listdir("news")[1]) if default_storage.exists("news") else set()


def test_a_save_that_fails_leaves_no_cover_file_behind(author: User, draft: Story) -> None:
    # given: a revision already holds the next version number, so the save cannot complete
    StoryRevision.objects.create(story=draft, version=draft.version + 1, content={}, editor=author)
    before = _stored_covers()
    cover = SimpleUploadedFile("cover.webp", WEBP, content_type="image/webp")

    # when
    with pytest.raises(IntegrityError):
        services.story_update(
            editor=author, story_id=draft.pk, data=story_input(cover_alt="站台"), cover=cover
        )

    # then
    assert _stored_covers() == before
    assert Story.objects.get(pk=draft.pk).cover == ""


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cover.png", b"MZ\x90\x00not an image"),  # a program
        ("cover.jpg", PNG),  # a PNG named as a JPEG
        ("cover.png", b""),
    ],
)
def test_a_cover_that_is_not_what_it_says_is_refused(author: User, name: str, data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.story_create(
            editor=author,
            data=story_input(cover_alt="图"),
            cover=SimpleUploadedFile(name, data),
        )
    assert "cover" in refused.value.fields


def test_a_cover_over_the_size_limit_is_refused(author: User) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 2**20))
    with pytest.raises(InvalidInput) as refused:
        services.story_create(editor=author, data=story_input(cover_alt="图"), cover=big)
    assert "cover" in refused.value.fields


def test_a_cover_needs_its_alt_text(author: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.story_create(
            editor=author, data=story_input(), cover=SimpleUploadedFile("c.png", PNG)
        )
    assert set(refused.value.fields) == {"cover_alt"}


# --- Review -----------------------------------------------------------------------------------


def test_three_different_editors_approve_and_the_story_is_published(
    draft: Story, publish: Callable[[Story], Story]
) -> None:
    # when
    story = publish(draft)

    # then
    assert story.state == StoryState.PUBLISHED
    assert story.published_at is not None
    assert story.published_version == story.version
    assert StoryReview.objects.filter(story=story, decision="approve").count() == 3


def test_the_author_of_the_version_may_not_review_it(author: User, draft: Story) -> None:
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    with pytest.raises(PermissionDenied) as refused:
        services.story_review(reviewer=author, story_id=draft.pk, level=1, decision="approve")
    assert refused.value.code == "reviewer_is_author"


def test_whoever_created_or_changed_the_story_since_it_was_published_may_not_review_it(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given: the author's draft changed by a colleague, so neither saved the version under review
    services.story_update(editor=reviewers[0], story_id=draft.pk, data=story_input(title="改一"))
    services.story_update(editor=reviewers[1], story_id=draft.pk, data=story_input(title="改二"))
    services.story_submit_for_review(editor=reviewers[1], story_id=draft.pk)

    # when / then: the creator and the earlier changer are refused, as is the last one
    for writer in (author, reviewers[0], reviewers[1]):
        with pytest.raises(PermissionDenied) as refused:
            services.story_review(reviewer=writer, story_id=draft.pk, level=1, decision="approve")
        assert refused.value.code == "reviewer_is_author"
    services.story_review(reviewer=reviewers[2], story_id=draft.pk, level=1, decision="approve")
    assert Story.objects.get(pk=draft.pk).reviewed_level == 1


@pytest.mark.parametrize("second_level", [2, 3])
def test_one_editor_may_not_approve_two_levels(
    author: User, reviewers: list[User], draft: Story, second_level: int
) -> None:
    # given
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    services.story_review(reviewer=reviewers[0], story_id=draft.pk, level=1, decision="approve")
    if second_level == 3:
        services.story_review(reviewer=reviewers[1], story_id=draft.pk, level=2, decision="approve")
    repeat = reviewers[0] if second_level == 2 else reviewers[1]

    # when
    with pytest.raises(PermissionDenied) as refused:
        services.story_review(
            reviewer=repeat, story_id=draft.pk, level=second_level, decision="approve"
        )

    # then
    assert refused.value.code == "reviewer_already_reviewed"
    assert Story.objects.get(pk=draft.pk).reviewed_level == second_level - 1


def test_a_level_cannot_be_skipped(author: User, reviewers: list[User], draft: Story) -> None:
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    with pytest.raises(ApplicationError) as refused:
        services.story_review(reviewer=reviewers[0], story_id=draft.pk, level=2, decision="approve")
    assert refused.value.code == "review_wrong_level"


def test_a_return_needs_a_comment_and_sends_the_story_back_to_draft(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    with pytest.raises(InvalidInput) as refused:
        services.story_review(reviewer=reviewers[0], story_id=draft.pk, level=1, decision="return")
    assert set(refused.value.fields) == {"comment"}

    # when
    story = services.story_review(
        reviewer=reviewers[0],
        story_id=draft.pk,
        level=1,
        decision="return",
        comment="请核实开通日期",
    )

    # then
    assert story.state == StoryState.DRAFT
    assert story.reviewed_level == 0


def test_a_returned_story_sent_again_unchanged_passes_every_level_and_is_published(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given: approved at level 1, then returned at level 2
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    services.story_review(reviewer=reviewers[0], story_id=draft.pk, level=1, decision="approve")
    services.story_review(
        reviewer=reviewers[1], story_id=draft.pk, level=2, decision="return", comment="再核实"
    )

    # when: sent again without a change, and approved at every level
    sent = services.story_submit_for_review(
        editor=author, story_id=draft.pk, expected_version=draft.version
    )
    for level, reviewer in enumerate(reviewers, start=1):
        story = services.story_review(
            reviewer=reviewer, story_id=draft.pk, level=level, decision="approve"
        )

    # then: a version of its own was reviewed and published
    assert sent.version == draft.version + 1
    assert story.state == StoryState.PUBLISHED
    assert story.published_version == sent.version
    assert story.revisions.filter(version=sent.version, editor=author).exists()


def test_a_level_decided_twice_for_one_version_is_a_conflict_not_a_crash(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given: an approval at level 1 already stored for the version under review
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    StoryReview.objects.create(
        story=draft, version=draft.version, level=1, reviewer=reviewers[1], decision="approve"
    )

    # when
    with pytest.raises(ApplicationError) as refused:
        services.story_review(reviewer=reviewers[0], story_id=draft.pk, level=1, decision="approve")

    # then
    assert refused.value.code == "review_already_decided"
    assert refused.value.status == 409
    assert Story.objects.get(pk=draft.pk).reviewed_level == 0


def test_a_change_after_approval_restarts_review(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given: approved at two levels
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    for level in (1, 2):
        services.story_review(
            reviewer=reviewers[level - 1], story_id=draft.pk, level=level, decision="approve"
        )

    # when
    story = services.story_update(
        editor=reviewers[2], story_id=draft.pk, data=story_input(title="改后的标题")
    )

    # then: a draft again, and the editor who changed it may not review the new version
    assert story.state == StoryState.DRAFT
    assert story.reviewed_level == 0
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    with pytest.raises(PermissionDenied):
        services.story_review(reviewer=reviewers[2], story_id=draft.pk, level=1, decision="approve")
    services.story_review(
        reviewer=editor_named("news.reviewer4"), story_id=draft.pk, level=1, decision="approve"
    )
    assert Story.objects.get(pk=draft.pk).reviewed_level == 1


@override_settings(CITYGATE_NEWS_REVIEW_LEVELS=["Only review"])
def test_the_number_of_levels_comes_from_the_setting(
    author: User, reviewers: list[User], draft: Story
) -> None:
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    story = services.story_review(
        reviewer=reviewers[0], story_id=draft.pk, level=1, decision="approve"
    )
    assert services.review_levels() == ["Only review"]
    assert story.state == StoryState.PUBLISHED


def test_a_published_story_is_not_edited(
    author: User, draft: Story, publish: Callable[[Story], Story]
) -> None:
    publish(draft)
    with pytest.raises(ApplicationError) as refused:
        services.story_update(editor=author, story_id=draft.pk, data=story_input(title="改"))
    assert refused.value.code == "story_not_editable"


# --- Scheduling -------------------------------------------------------------------------------


def test_a_story_with_a_future_time_waits_and_the_command_publishes_it_once(
    author: User, publish: Callable[[Story], Story]
) -> None:
    # given: approved at every level, for tomorrow
    at = timezone.now() + timedelta(days=1)
    story = publish(services.story_create(editor=author, data=story_input(publish_at=at)))
    assert story.state == StoryState.SCHEDULED
    call_command("news_publish_due", stdout=io.StringIO())
    assert Story.objects.get(pk=story.pk).state == StoryState.SCHEDULED

    # when: the time has come
    later = at + timedelta(minutes=1)
    first = services.stories_publish_due(now=later)
    again = services.stories_publish_due(now=later)

    # then
    published = Story.objects.get(pk=story.pk)
    assert (first, again) == (1, 0)
    assert published.state == StoryState.PUBLISHED
    assert published.published_at == later
    assert services.story_publish(story_id=story.pk, now=later) is False


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_last_approval_enqueues_the_publication_for_its_time(
    author: User, django_capture_on_commit_callbacks: CaptureOnCommit, reviewers: list[User]
) -> None:
    from django_tasks_db.models import DBTaskResult

    # given
    at = timezone.now() + timedelta(hours=3)
    story = services.story_create(editor=author, data=story_input(publish_at=at))
    services.story_submit_for_review(editor=author, story_id=story.pk)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        for level, reviewer in enumerate(reviewers, start=1):
            services.story_review(
                reviewer=reviewer, story_id=story.pk, level=level, decision="approve"
            )

    # then
    task = DBTaskResult.objects.get(task_path="citygate.news.tasks.story_publish_due")
    assert task.run_after == at
    assert task.args_kwargs["kwargs"] == {"story_id": str(story.pk)}


# --- Corrections and retractions --------------------------------------------------------------


def test_a_correction_shows_its_notice_and_reaches_everyone_who_was_sent_the_story(
    author: User,
    draft: Story,
    publish: Callable[[Story], Story],
    resident: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given: the story was pushed to two people; a third was not sent it
    story = publish(draft)
    others = [User.objects.create_user(phone=f"1999999061{n}") for n in (1, 2)]
    pushed(story, resident)
    pushed(story, others[0])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        corrected = services.story_correct(
            editor=author, story_id=story.pk, notice="开通日期应为6月1日。"
        )

    # then
    assert corrected.correction == "开通日期应为6月1日。"
    assert corrected.state == StoryState.PUBLISHED
    told = Message.objects.filter(template="news.story_corrected")
    assert sorted(m.recipient_id for m in told) == sorted([resident.pk, others[0].pk])
    assert told.first().link == f"/news/{story.pk}/"  # type: ignore[union-attr]
    assert corrected.revisions.get(version=corrected.version).note == "correction"


def test_telling_again_reaches_nobody_twice_and_batches_cover_everyone(
    author: User, draft: Story, publish: Callable[[Story], Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: five recipients and batches of two
    story = publish(draft)
    people = [User.objects.create_user(phone=f"1999999062{n}") for n in range(5)]
    for person in people:
        pushed(story, person)
    monkeypatch.setattr(services, "RECIPIENT_BATCH", 2)
    key = f"news.story:{story.pk}:correction:9"

    # when
    first = services.story_recipients_tell(
        story_id=story.pk, template="news.story_corrected", dedupe_key=key
    )
    again = services.story_recipients_tell(
        story_id=story.pk, template="news.story_corrected", dedupe_key=key
    )

    # then
    assert (first, again) == (5, 0)
    assert Message.objects.filter(template="news.story_corrected").count() == 5


def test_a_retraction_takes_the_body_down_and_tells_those_sent_it(
    author: User,
    draft: Story,
    publish: Callable[[Story], Story],
    resident: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    # given
    story = publish(draft)
    pushed(story, resident)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        retracted = services.story_retract(
            editor=author, story_id=story.pk, notice="本文信息有误，已撤回。"
        )

    # then
    assert retracted.state == StoryState.RETRACTED
    assert retracted.body == ""
    assert retracted.summary == ""
    assert retracted.revisions.get(version=retracted.version).content["body"] == draft.body
    message = Message.objects.get(template="news.story_retracted")
    assert message.recipient == resident


def test_a_draft_is_neither_corrected_nor_retracted(author: User, draft: Story) -> None:
    for change in (services.story_correct, services.story_retract):
        with pytest.raises(ApplicationError) as refused:
            change(editor=author, story_id=draft.pk, notice="说明")
        assert refused.value.code == "story_not_published"


def test_a_correction_needs_its_notice(
    author: User, draft: Story, publish: Callable[[Story], Story]
) -> None:
    publish(draft)
    with pytest.raises(InvalidInput) as refused:
        services.story_correct(editor=author, story_id=draft.pk, notice="  ")
    assert set(refused.value.fields) == {"notice"}


def test_an_opening_counts_once_per_view_of_a_published_story(
    draft: Story, publish: Callable[[Story], Story]
) -> None:
    services.story_opened(story_id=draft.pk)
    assert Story.objects.get(pk=draft.pk).opens == 0  # a draft is not counted
    publish(draft)
    services.story_opened(story_id=draft.pk)
    services.story_opened(story_id=draft.pk)
    assert Story.objects.get(pk=draft.pk).opens == 2
