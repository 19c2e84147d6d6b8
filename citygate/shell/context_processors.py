from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    return {"elderly_mode": getattr(request, "elderly_mode", False)}
