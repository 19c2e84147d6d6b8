"""The catalogue API: search, an item's guide, life events. Public: no sign-in needed.

Search answers `GET /services/search?q=...` as published, and the same on POST with the query
in the body, which the app's own pages use so that what a person types (it may be an ID
number) stays out of addresses and access logs.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from citygate.catalog import selectors, services
from citygate.catalog.search import MAX_QUERY_LENGTH, SearchResult, current_index
from citygate.core.errors import NotFound
from citygate.core.schemas import ErrorOut

router = Router(tags=["catalogue"])

SEARCH_LIMIT_MAX = 50


class SearchIn(Schema):
    q: str = Field(min_length=1, max_length=200)
    limit: int = Field(default=10, ge=1, le=SEARCH_LIMIT_MAX)
    department: str = Field(default="", max_length=32)
    district: str = Field(default="", max_length=12)
    audience: Literal["", "person", "enterprise"] = ""
    # Set by typing-ahead: a half-typed query that finds nothing is not counted as a miss.
    typing: bool = False


class SearchItemOut(Schema):
    code: str
    name: str
    name_en: str
    department: str
    department_code: str
    category: str
    summary: str
    can_apply_online: bool
    appointment: bool
    url: str


class SearchOut(Schema):
    items: list[SearchItemOut]
    total: int


def search_run(params: SearchIn) -> SearchResult:
    """The one search both the API and the search page call, so both rank alike."""
    result = current_index().search(
        params.q[:MAX_QUERY_LENGTH],
        limit=params.limit,
        department=params.department,
        district=params.district,
        audience=params.audience,
    )
    if result.total == 0 and not params.typing:
        services.search_miss_record(query=params.q)
    return result


_item_url_prefixes: dict[str, str] = {}


def _item_url_prefix() -> str:
    """The guide pages' URL up to the code, worked out once per script prefix: reverse() costs
    a tenth of a search."""
    script = get_script_prefix()
    found = _item_url_prefixes.get(script)
    if found is None:
        found = _item_url_prefixes[script] = reverse("catalog:item", args=["-"])[:-2]
    return found


def search_out(result: SearchResult, *, english: bool) -> dict[str, Any]:
    url_prefix = _item_url_prefix()
    items = []
    for hit in result.hits:
        doc = hit.doc
        items.append(
            {
                "code": doc.code,
                "name": doc.name_en if english and doc.name_en else doc.name,
                "name_en": doc.name_en,
                "department": doc.department_name_en if english else doc.department_name,
                "department_code": doc.department_code,
                "category": doc.category,
                "summary": doc.summary_en if english and doc.summary_en else doc.summary,
                "can_apply_online": doc.can_apply_online,
                "appointment": doc.appointment,
                "url": f"{url_prefix}{quote(doc.code)}/",
            }
        )
    return {"items": items, "total": result.total}


def _english(request: HttpRequest) -> bool:
    return getattr(request, "LANGUAGE_CODE", "").startswith("en")


def _search_response(request: HttpRequest, params: SearchIn) -> HttpResponse:
    # Serialised here rather than through the response schema (which documents the shape):
    # search answers every keystroke, and the schema's validation would double its cost. The
    # tests hold the answer to the schema.
    body = search_out(search_run(params), english=_english(request))
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json; charset=utf-8",
    )


@router.get("/services/search", response={200: SearchOut, 422: ErrorOut}, url_name="search")
def search_get(request: HttpRequest, params: Query[SearchIn]) -> HttpResponse:
    return _search_response(request, params)


@router.post("/services/search", response={200: SearchOut, 422: ErrorOut}, url_name="search")
def search_post(request: HttpRequest, params: SearchIn) -> HttpResponse:
    return _search_response(request, params)


class ItemOut(Schema):
    code: str
    name: str
    department: str
    department_code: str
    district: str
    status: str
    published_at: str
    guide: dict[str, Any]
    url: str


@router.get("/services/items/{code}", response={200: ItemOut, 404: ErrorOut})
def item_get(request: HttpRequest, code: str) -> dict[str, Any]:
    item = selectors.item_get_public(code=code[:48])
    if item is None:
        raise NotFound(_("There is no such service item."))
    return {
        "code": item.code,
        "name": item.display_name,
        "department": item.department.display_name,
        "department_code": item.department.code,
        "district": item.district.code if item.district else "",
        "status": item.status,
        "published_at": item.published_at.isoformat() if item.published_at else "",
        "guide": item.content,
        "url": reverse("catalog:item", args=[item.code]),
    }


class LifeEventOut(Schema):
    slug: str
    name: str
    summary: str
    items: list[str]


@router.get("/life-events", response=list[LifeEventOut])
def life_events(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "slug": event.slug,
            "name": event.display_name,
            "summary": event.display_summary,
            "items": [item.code for item in getattr(event, "published_items", [])],
        }
        for event in selectors.life_events_with_items()
    ]
