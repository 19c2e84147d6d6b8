"""The public news pages: the newsroom's front page, a channel, a story, and its images.

Stories are public, so these pages need no sign-in. A story page counts its opening with one
UPDATE, once (see OPENED_COOKIE). Images are served only when a published story shows them
(editors see every one, for the pages they are writing).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from citygate.core.validation import small_positive_int
from citygate.feed.selectors import personalisation
from citygate.news import covers, selectors, services
from citygate.news.models import StoryState

# Names the cover storage gives (covers.cover_store): nothing else is ever opened.
_MEDIA_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp)$")
MAX_PAGE = 10_000
# Seconds a public image may be kept before it is asked for again.
PUBLIC_MEDIA_MAX_AGE = 300


def _page_number(request: HttpRequest) -> int:
    return small_positive_int(request.GET.get("page", "1"), maximum=MAX_PAGE) or 1


@require_GET
def news_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_stories(), selectors.PAGE_SIZE).get_page(
        _page_number(request)
    )
    context = {
        "page": page,
        "channels": selectors.channel_list(),
        "most_read": selectors.most_read_stories(),
        "shell_tab": "home",
    }
    return render(request, "news/index.html", context)


@require_GET
def channel_page(request: HttpRequest, slug: str) -> HttpResponse:
    channel = selectors.channel_get(slug=slug)
    if channel is None:
        raise Http404
    page = Paginator(selectors.public_stories(channel=channel), selectors.PAGE_SIZE).get_page(
        _page_number(request)
    )
    context = {"channel": channel, "channels": selectors.channel_list(), "page": page}
    return render(request, "news/channel.html", context)


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """Plain addresses that share the story: no script of another site runs on our page."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        ("weibo", f"https://service.weibo.com/share/share.php?url={u}&title={t}"),
        ("qq", f"https://connect.qq.com/widget/shareqq/index.html?url={u}&title={t}"),
        ("email", f"mailto:?subject={t}&body={u}"),
    ]


@require_GET
def story_page(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    story = selectors.public_story_get(story_id=story_id)
    if story is None:
        raise Http404
    opened_today = _opened_today(request)
    counted = story.state == StoryState.PUBLISHED and _counts_here(request, story.pk, opened_today)
    if counted:
        services.story_opened(story_id=story.pk)
    url = request.build_absolute_uri(request.path)
    context = {
        "story": story,
        "retracted": story.state == StoryState.RETRACTED,
        # The story's own language, as HTML names it, for what the editor wrote.
        "story_lang": "zh-Hans" if story.language == "zh-hans" else story.language,
        "districts": list(story.districts.all()),
        "share_url": url,
        "share_links": share_links(url, story.title),
    }
    response = render(request, "news/story.html", context)
    if counted:
        _remember_opened(response, [*opened_today, story.pk.hex])
    return response


# A story's opening is counted once: for a reader whose reading is recorded, by the reading
# beacon at their first view (feed.services.story_reading_record); for anyone else, here, at
# most once a day per browser, which keeps the stories it counted today in a signed cookie.
OPENED_COOKIE = "citygate_opened"
OPENED_SALT = "citygate.news.opened"
OPENED_MAX = 40


def _opened_today(request: HttpRequest) -> list[str]:
    try:
        value = request.get_signed_cookie(OPENED_COOKIE, salt=OPENED_SALT, max_age=24 * 60 * 60)
    except (KeyError, signing.BadSignature):
        return []
    day, _sep, ids = (value or "").partition(":")
    if day != timezone.localdate().isoformat():
        return []
    return [i for i in ids.split(",") if re.fullmatch(r"[0-9a-f]{32}", i)][-OPENED_MAX:]


def _counts_here(request: HttpRequest, story_id: uuid.UUID, opened_today: list[str]) -> bool:
    user = request.user
    if user.is_authenticated and personalisation(user=user).active:
        return False
    return story_id.hex not in opened_today


def _remember_opened(response: HttpResponse, ids: list[str]) -> None:
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, now.tzinfo)
    response.set_signed_cookie(
        OPENED_COOKIE,
        f"{now.date().isoformat()}:{','.join(ids[-OPENED_MAX:])}",
        salt=OPENED_SALT,
        max_age=max(60, int((midnight - now).total_seconds())),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@require_GET
def media(request: HttpRequest, name: str) -> FileResponse:
    if not _MEDIA_NAME.match(name):
        raise Http404
    stored = f"{covers.FOLDER}/{name}"
    public = selectors.media_is_public(name=stored)
    if not (public or services.is_editor(request.user)):
        raise Http404
    try:
        handle = default_storage.open(stored, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=covers.content_type_of(name))
    # An image shown only to editors is never kept by a shared cache; a public one is kept
    # briefly and checked again, so a retraction takes it down everywhere within minutes.
    response["Cache-Control"] = (
        f"public, max-age={PUBLIC_MEDIA_MAX_AGE}, must-revalidate"
        if public
        else "private, no-store"
    )
    return response
