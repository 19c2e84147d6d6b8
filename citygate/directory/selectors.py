"""Reads about the city's departments, districts and streets."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from citygate.directory.models import Department, District, Street


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("order", "code")


def department_by_code(*, code: str) -> Department | None:
    return Department.objects.filter(code=code).first()


def district_list() -> QuerySet[District]:
    return District.objects.order_by("order", "code")


def district_by_code(*, code: str) -> District | None:
    return District.objects.filter(code=code).first()


def street_list(*, district_code: str | None = None) -> QuerySet[Street]:
    """The streets and towns offered today (none a newer edition dropped), by code."""
    streets = Street.objects.filter(retired_in__isnull=True).select_related("district")
    if district_code is not None:
        streets = streets.filter(district__code=district_code)
    return streets.order_by("code")


def street_by_code(*, code: str) -> Street | None:
    return (
        Street.objects.filter(code=code, retired_in__isnull=True).select_related("district").first()
    )


def streets_by_district() -> list[tuple[District, list[Street]]]:
    """Each district in its order with its current streets: the grouped choices of pickers."""
    grouped: dict[int, list[Street]] = {}
    for street in street_list():
        grouped.setdefault(street.district_id, []).append(street)
    return [(d, grouped[d.pk]) for d in district_list() if d.pk in grouped]


def street_choices(*, kept: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """The streets offered, as (district name, [(code, name)]) groups for a picker, with those
    of `kept` that a newer edition has retired since, marked so: a person's own street, or the
    streets a campaign already names, are not lost by saving the form again."""
    retired = list(Street.objects.filter(code__in=list(kept), retired_in__isnull=False))
    groups = []
    for district, streets in streets_by_district():
        choices = [(s.code, s.display_name) for s in streets]
        for street in retired:
            if street.district_id == district.pk:
                label = _("%(street)s (no longer listed)") % {"street": street.display_name}
                choices.append((street.code, label))
        groups.append((district.display_name, choices))
    return groups
