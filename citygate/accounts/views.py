from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from citygate.accounts.models import SmsOutboxMessage

# The outbox is for reading the last few codes during development, not an archive.
OUTBOX_LIMIT = 50


def login_page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> JsonResponse:
    """The development SMS outbox, newest first; there is no such page unless DEBUG is on."""
    if not settings.DEBUG:
        raise Http404
    messages = SmsOutboxMessage.objects.order_by("-created_at")[:OUTBOX_LIMIT]
    return JsonResponse(
        {
            "messages": [
                {"phone": m.phone, "text": m.text, "sent_at": m.created_at.isoformat()}
                for m in messages
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
