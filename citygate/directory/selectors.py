"""Reads about the city's departments and districts."""

from __future__ import annotations

from django.db.models import QuerySet

from citygate.directory.models import Department, District


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("order", "code")


def department_by_code(*, code: str) -> Department | None:
    return Department.objects.filter(code=code).first()


def district_list() -> QuerySet[District]:
    return District.objects.order_by("order", "code")


def district_by_code(*, code: str) -> District | None:
    return District.objects.filter(code=code).first()
