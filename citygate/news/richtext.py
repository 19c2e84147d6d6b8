"""The newsroom's rich text: the one allow-list every story body passes through on every save.

Stories are written as HTML (from the editor's textarea, the API or the demo loader) and shown
as-is on public pages, so nothing that could run, restyle the page or load from elsewhere may
survive: no scripts, no event handlers, no style, no javascript: or data: links, and images
only from the newsroom's own media (the covers served under /news/media/). nh3 (Rust's ammonia)
parses the HTML as a browser would and writes back only what is listed here.
"""

from __future__ import annotations

import re

import nh3

# Where the newsroom's own images are served (news.views.media); an image from anywhere
# else would let a third party see who reads a story.
MEDIA_PREFIX = "/news/media/"
# The one shape of an address there: the names covers.cover_store gives, nothing encoded,
# so neither "%2e%2e" nor a backslash nor a space (which could fake another attribute) passes.
_MEDIA_SRC = re.compile(r"/news/media/[0-9a-f]{32}\.(?:jpg|png|webp)")

TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "figure",
        "figcaption",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Dropped with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "noscript", "template"})
URL_SCHEMES = frozenset({"http", "https"})
_SPANS = {"colspan", "rowspan"}
_SCOPES = {"row", "col", "rowgroup", "colgroup"}


def _attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if _MEDIA_SRC.fullmatch(value) else None
    if name in _SPANS:
        return value if value.isdigit() and 0 < int(value) <= 20 else None
    if name == "scope":
        return value if value in _SCOPES else None
    return value


def sanitise(html: str) -> str:
    """The body with only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


# nh3 writes every attribute back quoted, so an image without its description is plain to see.
_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)[^>]*>")


def images_without_alt(html: str) -> int:
    """How many images of a sanitised body have no alt attribute (alt="" is decorative)."""
    return len(_IMAGE_WITHOUT_ALT.findall(html))


def plain_text(html: str) -> str:
    """The words of a body without its markup (for diffs and summaries)."""
    return nh3.clean(html, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT)).strip()
