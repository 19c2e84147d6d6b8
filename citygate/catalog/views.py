"""Public catalogue pages: an item's guide (办事指南) and a life event's bundle of items."""

from __future__ import annotations

import threading

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from citygate.catalog import labels, selectors, services
from citygate.catalog.content import ItemContent
from citygate.catalog.models import ItemStatus
from citygate.catalog.selectors import catalogue_version
from citygate.core.pagecache import page_context, public_page
from citygate.halls.selectors import halls_for_item
from citygate.shell.selectors import service_category_get

# Openings are counted in each process's memory and written to the item once per this many,
# so reading a guide costs no database write and no trip to a shared cache. (A process that
# stops loses fewer than this many openings of each item: popularity only orders near-equal
# search results.)
VIEWS_PER_WRITE = 50
_views: dict[str, int] = {}
_views_lock = threading.Lock()


def openings_forget() -> None:
    """Drops the openings counted but not yet written (tests start from none)."""
    with _views_lock:
        _views.clear()


def _count_view(code: str) -> None:
    with _views_lock:
        count = _views[code] = _views.get(code, 0) + 1
        if count >= VIEWS_PER_WRITE:
            _views[code] = 0
    if count >= VIEWS_PER_WRITE:
        services.item_viewed(code=code, count=VIEWS_PER_WRITE)


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    response = _item_page(request, code)
    if response.status_code == 200:
        _count_view(code)
    return response


@public_page(version=catalogue_version)
def _item_page(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_get_public(code=code)
    if item is None:
        raise Http404
    guide = ItemContent.model_validate(item.content)
    context = {
        "item": item,
        "guide": guide,
        "facts": {
            "type": labels.ITEM_TYPES[guide.item_type],
            "audience": [labels.AUDIENCES[audience] for audience in guide.audience],
            "depth": labels.ONLINE_DEPTHS[guide.online_depth],
            "scope": labels.SCOPES[guide.scope],
        },
        "materials": [
            {
                "material": material,
                "form": labels.MATERIAL_FORMS[material.form],
                "necessity": labels.NECESSITIES[material.necessity],
            }
            for material in guide.materials
        ],
        "withdrawn": item.status == ItemStatus.WITHDRAWN,
        "category": service_category_get(slug=item.category),
        "halls": halls_for_item(item=item) if item.appointment else [],
        "life_events": selectors.life_events_of_item(item=item),
    }
    return render(request, "catalog/item.html", page_context(request, context))


@require_GET
@public_page(version=catalogue_version)
def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.life_event_get(slug=slug)
    if event is None:
        raise Http404
    return render(request, "catalog/life_event.html", page_context(request, {"event": event}))
