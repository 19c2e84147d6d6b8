"""How the catalogue's coded values read on a page, in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.catalog.content import (
    Audience,
    ItemType,
    MaterialForm,
    Necessity,
    OnlineDepth,
    Scope,
)

ITEM_TYPES: dict[ItemType, Promise] = {
    ItemType.LICENCE: _("Administrative licence"),
    ItemType.CONFIRMATION: _("Administrative confirmation"),
    ItemType.ADJUDICATION: _("Administrative adjudication"),
    ItemType.BENEFIT: _("Administrative benefit"),
    ItemType.AWARD: _("Administrative award"),
    ItemType.FILING: _("Administrative filing"),
    ItemType.OTHER_POWER: _("Other administrative power"),
    ItemType.PUBLIC_SERVICE: _("Public service"),
}

AUDIENCES: dict[Audience, Promise] = {
    Audience.PERSON: _("Individuals"),
    Audience.ENTERPRISE: _("Enterprises and organisations"),
}

ONLINE_DEPTHS: dict[OnlineDepth, Promise] = {
    OnlineDepth.GUIDE: _("Guide online, done at a service window"),
    OnlineDepth.FORMS: _("Forms can be downloaded beforehand"),
    OnlineDepth.PRE_REVIEW: _("Materials can be checked online before the visit"),
    OnlineDepth.ONLINE: _("Apply online, at most one visit"),
    OnlineDepth.FULL_ONLINE: _("Done entirely online"),
}

MATERIAL_FORMS: dict[MaterialForm, Promise] = {
    MaterialForm.ORIGINAL: _("Original"),
    MaterialForm.COPY: _("Copy"),
    MaterialForm.ORIGINAL_AND_COPY: _("Original and copy"),
    MaterialForm.ELECTRONIC: _("Electronic"),
}

NECESSITIES: dict[Necessity, Promise] = {
    Necessity.REQUIRED: _("Required"),
    Necessity.OPTIONAL: _("In some cases"),
    Necessity.DEFERRABLE: _("Can be handed in later"),
}

SCOPES: dict[Scope, Promise] = {
    Scope.CITY: _("Anywhere in Suzhou"),
    Scope.PROVINCE: _("Anywhere in Jiangsu"),
    Scope.NATION: _("Anywhere in China"),
}
