"""Message templates: what each kind of notice says, in every language, with blanks to fill.

Each app declares its templates in its own ``<app>/notices.py`` and imports that module from
its ``AppConfig.ready()``, so every template is registered before the first request::

    # citygate/halls/notices.py
    from django.utils.translation import gettext_lazy as _

    from citygate.inbox.models import Kind
    from citygate.inbox.templates import MessageTemplate, register

    APPOINTMENT_BOOKED = register(
        MessageTemplate(
            name="halls.appointment_booked",
            kind=Kind.TRANSACTIONAL,
            title=_("Appointment booked: %(item)s"),
            body=_("You are expected at %(hall)s on %(date)s at %(time)s."),
        )
    )

    # citygate/halls/apps.py
    class HallsConfig(AppConfig):
        def ready(self) -> None:
            from citygate.halls import notices  # noqa: F401 - registers the templates

Title and body are lazy translations (``gettext_lazy``) with ``%(field)s`` blanks; the app's
catalogue translates them like any other string. The blanks are filled when the message is
read, in the reader's language, from the params given to `citygate.inbox.services.notify`.
A blank never holds a person's name, phone number, ID number or address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from citygate.core.logging import get_logger
from citygate.inbox.models import TEMPLATE_NAME_MAX_LENGTH, Kind

log = get_logger(__name__)

# "<app>.<what happened>", lower case: "halls.appointment_booked".
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_BLANK_RE = re.compile(r"%\(([^)]*)\)")
# What an unfilled blank shows, should a stored message lack a value its template now needs.
MISSING_VALUE = "…"


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    kind: Kind
    title: Promise
    body: Promise

    def __post_init__(self) -> None:
        if len(self.name) > TEMPLATE_NAME_MAX_LENGTH or not _NAME_RE.match(self.name):
            raise ValueError(f"template name {self.name!r} is not '<app>.<event>' in lower case")
        if self.kind not in Kind.values:
            raise ValueError(f"template {self.name!r} has an unknown kind {self.kind!r}")

    def blanks(self) -> frozenset[str]:
        """The names of the blanks, as written in any of the site's languages."""
        names: set[str] = set()
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                for text in (str(self.title), str(self.body)):
                    names.update(_BLANK_RE.findall(text.replace("%%", "")))
        return frozenset(names)

    def render_title(self, params: Mapping[str, object]) -> str:
        return _fill(str(self.title), params)

    def render_body(self, params: Mapping[str, object]) -> str:
        return _fill(str(self.body), params)


_registry: dict[str, MessageTemplate] = {}


def register(template: MessageTemplate) -> MessageTemplate:
    """Adds a template; a second template of the same name is a mistake and raises."""
    if template.name in _registry:
        raise ValueError(f"a message template named {template.name!r} is already registered")
    _registry[template.name] = template
    return template


def get(name: str) -> MessageTemplate:
    """The template of this name; KeyError when none is registered."""
    return _registry[name]


def registered() -> list[MessageTemplate]:
    return sorted(_registry.values(), key=lambda template: template.name)


class _Values(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return MISSING_VALUE


def _fill(text: str, params: Mapping[str, object]) -> str:
    try:
        return text % _Values(params)
    except (TypeError, ValueError):
        # A translation whose blank does not fit its value ("%(n)d" given a word): show the
        # text rather than fail the whole inbox.
        return text


def render_title(name: str, params: Mapping[str, object]) -> str:
    """A stored message's title in the current language."""
    template = _registry.get(name)
    if template is None:
        log.warning("inbox.template_unknown", template=name)
        return gettext("Message")
    return template.render_title(params)


def render_body(name: str, params: Mapping[str, object]) -> str:
    """A stored message's body in the current language ("" if its template is gone)."""
    template = _registry.get(name)
    if template is None:
        return ""
    return template.render_body(params)
