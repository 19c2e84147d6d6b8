"""System check: every procedure loads and its workflow is sound, or the site does not start."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from citygate.applications.workflow import ProcedureError, procedures


@register()
def procedures_sound(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        procedures()
    except ProcedureError as error:
        return [Error(str(error), id="applications.E001")]
    return []
