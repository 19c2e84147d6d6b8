"""What the app shell shows: the service categories and display preferences.

The categories are fixed navigation; the catalogue's items name the category they belong to
(`ServiceItem.category`). Life events are catalogue data (`citygate.catalog`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import User


@dataclass(frozen=True)
class ServiceCategory:
    slug: str
    icon: str
    name: Promise
    summary: Promise
    # Shown on the simplified home page of elderly mode, where fewer, bigger tiles fit.
    elderly_home: bool = False


SERVICE_CATEGORIES: tuple[ServiceCategory, ...] = (
    ServiceCategory(
        "id-residence",
        "id-card",
        _("ID and residence"),
        _("Household registration, resident ID cards and residence permits."),
        elderly_home=True,
    ),
    ServiceCategory(
        "social-security",
        "shield",
        _("Social security and jobs"),
        _("Pensions, social insurance, unemployment benefits and job seeking."),
        elderly_home=True,
    ),
    ServiceCategory(
        "health",
        "heart",
        _("Health"),
        _("Medical insurance, hospital appointments and vaccinations."),
        elderly_home=True,
    ),
    ServiceCategory(
        "housing-fund",
        "home",
        _("Housing fund"),
        _("Housing provident fund balances, withdrawals and loans."),
    ),
    ServiceCategory(
        "education",
        "book",
        _("Education"),
        _("School enrolment, certificates and student aid."),
    ),
    ServiceCategory(
        "transport",
        "bus",
        _("Transport"),
        _("Public transport, driving licences, vehicles and parking."),
        elderly_home=True,
    ),
    ServiceCategory(
        "utilities",
        "drop",
        _("Water, power and gas"),
        _("Paying bills and reporting faults for water, electricity and gas."),
        elderly_home=True,
    ),
    ServiceCategory(
        "business",
        "building",
        _("Business services"),
        _("Starting a business, licences, permits and tax."),
    ),
    ServiceCategory(
        "civil-affairs",
        "hands",
        _("Civil affairs"),
        _("Marriage registration, elderly care, assistance and benefits."),
        elderly_home=True,
    ),
    ServiceCategory(
        "feedback",
        "chat",
        _("Complaints and suggestions"),
        _("Tell the city about a problem or an idea."),
    ),
)


def service_category_list(*, elderly: bool = False) -> list[ServiceCategory]:
    if elderly:
        return [category for category in SERVICE_CATEGORIES if category.elderly_home]
    return list(SERVICE_CATEGORIES)


def service_category_get(*, slug: str) -> ServiceCategory | None:
    for category in SERVICE_CATEGORIES:
        if category.slug == slug:
            return category
    return None


@dataclass(frozen=True)
class DisplayPreferences:
    elderly_mode: bool
    # A language the account chose, or "" to let the cookie and the browser decide.
    language: str


def display_preferences_for(*, user: User | None, device_elderly: bool) -> DisplayPreferences:
    """The preferences a request is shown with: the account's when it has saved any.

    An account has saved preferences once `preferred_language` is set (sign-up stores the
    language in use, and the shell's services save both fields together); until then this
    device's cookies decide. A saved elderly mode always applies. (Signing in on a device in
    elderly mode saves elderly mode to the account: see PreferenceMiddleware.)
    """
    if user is None:
        return DisplayPreferences(elderly_mode=device_elderly, language="")

    language = user.preferred_language if user.preferred_language in supported_languages() else ""
    if user.elderly_mode:
        return DisplayPreferences(elderly_mode=True, language=language)
    if user.preferred_language:
        return DisplayPreferences(elderly_mode=False, language=language)
    return DisplayPreferences(elderly_mode=device_elderly, language="")


def supported_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}
