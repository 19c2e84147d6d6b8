"""The newsroom's back office (/staff/news/): stories by state, the editor, review queues per
level with the diff a reviewer reads, the history, corrections and retractions.

Only staff who passed the TOTP step reach these pages, and only editors are let in: other
staff get 403. Every form works without JavaScript; the services decide what may be done and
their messages are shown beside the fields they concern.
"""

from __future__ import annotations

import uuid
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.decorators import View, staff_required
from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.validation import small_positive_int
from citygate.news import selectors, services
from citygate.news.forms import NoticeForm, ReviewForm, StateFilter, StoryForm
from citygate.news.models import Story, StoryState

PAGE_SIZE = 50


def editor_required(view: View) -> View:
    """Staff past the TOTP step (staff_required), and editors among them (403 otherwise)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
        prefetch_related_objects([user], "staff_roles")
        if not services.is_editor(user):
            return render(request, "news/staff/not_editor.html", status=403)
        return view(request, *args, **kwargs)

    return never_cache(staff_required(wrapped))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by editor_required
    return user


def _story(request: HttpRequest, story_id: uuid.UUID) -> Story:
    story = selectors.staff_story_get(user=_user(request), story_id=story_id)
    if story is None:
        raise Http404
    return story


def _state_labels() -> dict[str, str]:
    return {value: str(label) for value, label in StoryState.choices}


def _level_label(level: int) -> str:
    levels = services.review_levels()
    return levels[level - 1] if 0 < level <= len(levels) else str(level)


@editor_required
@require_GET
def story_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = StateFilter(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    page = Paginator(selectors.staff_stories(user=user, state=state), PAGE_SIZE).get_page(
        small_positive_int(request.GET.get("page", "1"), maximum=100_000) or 1
    )
    context = {
        "filters": filters,
        "state_query": urlencode({"state": state}) + "&" if state else "",
        "page": page,
        "state_labels": _state_labels(),
        "levels": selectors.review_queue_levels(user=user),
    }
    return render(request, "news/staff/list.html", context)


def _story_form_page(request: HttpRequest, story: Story | None) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES, editing=story is not None)
        if form.is_valid():
            cover = form.cleaned_data["cover"] or None
            try:
                if story is None:
                    saved = services.story_create(editor=user, data=form.story_input(), cover=cover)
                else:
                    saved = services.story_update(
                        editor=user,
                        story_id=story.pk,
                        data=form.story_input(),
                        cover=cover,
                        remove_cover=form.cleaned_data["remove_cover"],
                        expected_version=form.cleaned_data["version"],
                    )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, _("Saved as version %(v)d.") % {"v": saved.version})
                return redirect("news_staff:detail", story_id=saved.pk)
    elif story is None:
        form = StoryForm(initial={"language": "zh-hans"})
    else:
        form = StoryForm(
            editing=True,
            initial={
                "title": story.title,
                "summary": story.summary,
                "body": story.body,
                "channel": story.channel.slug,
                "tags": [tag.slug for tag in story.tags.all()],
                "districts": [district.code for district in story.districts.all()],
                "language": story.language,
                "source": story.source,
                "author": story.author,
                "cover_alt": story.cover_alt,
                "publish_at": (timezone.localtime(story.publish_at) if story.publish_at else None),
                "version": story.version,
            },
        )
    return render(request, "news/staff/edit.html", {"form": form, "story": story})


@editor_required
@require_http_methods(["GET", "POST"])
def story_create_page(request: HttpRequest) -> HttpResponse:
    return _story_form_page(request, None)


@editor_required
@require_http_methods(["GET", "POST"])
def story_edit_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = _story(request, story_id)
    if story.state not in services.EDITABLE_STATES:
        messages.error(request, _("A published story is not edited: correct or retract it."))
        return redirect("news_staff:detail", story_id=story.pk)
    return _story_form_page(request, story)


@editor_required
@require_GET
def story_detail_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = _story(request, story_id)
    user = _user(request)
    next_level = story.reviewed_level + 1
    refusal = (
        services.review_refusal(reviewer=user, story=story)
        if story.state == StoryState.IN_REVIEW
        else None
    )
    context = {
        "story": story,
        "state_label": _state_labels().get(story.state, story.state),
        "levels": services.review_levels(),
        "next_level": next_level,
        "next_level_label": _level_label(next_level),
        "may_review": story.state == StoryState.IN_REVIEW and refusal is None,
        "review_refusal": refusal.message if refusal else "",
        "editable": story.state in services.EDITABLE_STATES,
        "reviews": selectors.story_reviews(story=story),
    }
    return render(request, "news/staff/detail.html", context)


@editor_required
@require_POST
def story_submit_view(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = _story(request, story_id)
    version = small_positive_int(request.POST.get("version", ""), maximum=10**6)
    if version is None:
        # Without the version the editor saw, a newer one saved meanwhile would go unseen.
        messages.error(request, _("This page is out of date: reload the story and try again."))
        return redirect("news_staff:detail", story_id=story.pk)
    try:
        services.story_submit_for_review(
            editor=_user(request), story_id=story.pk, expected_version=version
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Sent for review."))
    return redirect("news_staff:detail", story_id=story.pk)


@editor_required
@require_GET
def review_queue_page(request: HttpRequest, level: int | None = None) -> HttpResponse:
    user = _user(request)
    levels = selectors.review_queue_levels(user=user)
    chosen = level or 1
    if not 0 < chosen <= len(levels):
        raise Http404
    context = {
        "levels": levels,
        "level": chosen,
        "level_label": _level_label(chosen),
        "stories": list(selectors.review_queue(user=user, level=chosen)[:PAGE_SIZE]),
    }
    return render(request, "news/staff/queue.html", context)


@editor_required
@require_http_methods(["GET", "POST"])
def story_review_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = _story(request, story_id)
    user = _user(request)
    if story.state != StoryState.IN_REVIEW:
        messages.error(request, _("This story is not waiting for review."))
        return redirect("news_staff:detail", story_id=story.pk)
    level = story.reviewed_level + 1
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                reviewed = services.story_review(
                    reviewer=user,
                    story_id=story.pk,
                    level=form.cleaned_data["level"],
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data["version"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, _review_outcome(reviewed))
                return redirect("news_staff:detail", story_id=story.pk)
    else:
        form = ReviewForm(initial={"version": story.version, "level": level})
    refusal = services.review_refusal(reviewer=user, story=story)
    base = selectors.diff_base_version(story=story)
    context = {
        "story": story,
        "form": form,
        "level_label": _level_label(level),
        "refusal": refusal.message if refusal else "",
        "base_version": base,
        "base_published": base is not None and base == story.published_version,
        "diff": selectors.story_diff(story=story, base_version=base),
        "field_labels": _field_labels(),
    }
    return render(request, "news/staff/review.html", context)


def _review_outcome(story: Story) -> str:
    if story.state == StoryState.PUBLISHED:
        return _("Approved and published.")
    if story.state == StoryState.SCHEDULED:
        return _("Approved: it will be published at its scheduled time.")
    if story.state == StoryState.DRAFT:
        return _("Returned to the author.")
    return _("Approved: it goes on to the next level.")


def _field_labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "summary": pgettext("news", "Summary"),
        "body": pgettext("story body", "Story"),
        "channel": pgettext("news", "Channel"),
        "tags": _("Topics"),
        "districts": _("Districts concerned"),
        "cover_alt": _("Cover description"),
        "source": _("Source"),
    }


@editor_required
@require_GET
def story_history_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = _story(request, story_id)
    context = {
        "story": story,
        "revisions": selectors.story_history(story=story),
        "reviews": selectors.story_reviews(story=story),
        "levels": services.review_levels(),
    }
    return render(request, "news/staff/history.html", context)


def _notice_page(request: HttpRequest, story_id: uuid.UUID, *, correcting: bool) -> HttpResponse:
    story = _story(request, story_id)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                if correcting:
                    services.story_correct(
                        editor=_user(request),
                        story_id=story.pk,
                        notice=form.cleaned_data["notice"],
                    )
                else:
                    services.story_retract(
                        editor=_user(request),
                        story_id=story.pk,
                        notice=form.cleaned_data["notice"],
                    )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                done = _("Correction published.") if correcting else _("Story retracted.")
                messages.success(request, done)
                return redirect("news_staff:detail", story_id=story.pk)
    else:
        form = NoticeForm()
    template = "news/staff/correct.html" if correcting else "news/staff/retract.html"
    return render(request, template, {"story": story, "form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def story_correct_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    return _notice_page(request, story_id, correcting=True)


@editor_required
@require_http_methods(["GET", "POST"])
def story_retract_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    return _notice_page(request, story_id, correcting=False)
