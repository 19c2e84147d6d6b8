"""The city's organisations and places: departments (委办局 and public enterprises), districts
and the streets and towns within them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class BilingualNamed:
    """A name in Chinese and English; pages show the one of the current language."""

    name_zh: str
    name_en: str

    def __str__(self) -> str:
        return self.name_zh

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class DistrictKind(models.TextChoices):
    DISTRICT = "district", pgettext_lazy("district kind", "District")
    COUNTY_CITY = "county_city", _("County-level city")
    # 苏州工业园区 is not a civil-affairs division; it has only a statistical code.
    FUNCTIONAL_ZONE = "functional_zone", _("Functional zone")


class District(BilingualNamed, models.Model):
    code = models.CharField(max_length=12, unique=True)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=DistrictKind.choices)
    code_source = models.CharField(max_length=128, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "code")


class StreetKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    TOWN = "town", pgettext_lazy("street kind", "Town")
    TOWNSHIP = "township", _("Township")
    # Development zones, farms and scenic areas counted as town-level units (400-599).
    OTHER = "other", _("Town-level unit")


class Street(BilingualNamed, models.Model):
    """A street office, town or township (乡级区划) of a district, by its NBS statistical code.

    Streets that a newer edition of the codes no longer lists are kept, marked with the edition
    that dropped them, so that people who chose one keep it; they are not offered any more.
    """

    code = models.CharField(max_length=12, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    name_zh = models.CharField(max_length=64)
    # Empty when an imported edition brought a name we have no English for yet.
    name_en = models.CharField(max_length=96, blank=True, default="")
    kind = models.CharField(max_length=16, choices=StreetKind.choices)
    code_source = models.CharField(max_length=128, blank=True, default="")
    # The newest edition that lists it, and the edition that first left it out.
    listed_in = models.PositiveSmallIntegerField()
    retired_in = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("code",)

    @property
    def display_name(self) -> str:
        return super().display_name or self.name_zh


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", _("Government department")
    ENTERPRISE = "enterprise", _("Public enterprise")
    CENTRE = "centre", _("Service centre")
    # 人民团体 such as the Disabled Persons' Federation: neither a bureau nor an enterprise.
    ORGANISATION = "organisation", _("People's organisation")


class Department(BilingualNamed, models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    kind = models.CharField(max_length=16, choices=DepartmentKind.choices)
    # Set for a district's own bureau; empty for a city-level department.
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("order", "code")
