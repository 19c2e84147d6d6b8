"""The public news pages: the newsroom's front page, a channel, a story, and its images.

Stories are public, so these pages need no sign-in. A story page counts its opening with one
UPDATE. Images are served only when a published story shows them (editors see every one,
for the pages they are writing).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from citygate.core.validation import small_positive_int
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
    if story.state == StoryState.PUBLISHED:
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
    return render(request, "news/story.html", context)


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
