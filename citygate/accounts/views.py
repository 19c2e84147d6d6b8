from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def login_page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


def dev_outbox(request: HttpRequest) -> JsonResponse:
    if not settings.DEBUG:
        raise Http404
    return JsonResponse({"messages": []})
