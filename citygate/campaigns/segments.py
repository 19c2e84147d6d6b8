"""Who a campaign is for: a segment, and the two ways of asking whether someone is in it.

`Segment.q()` counts and walks an audience in the database (the size shown before sending,
the batches of the channels that push); `Segment.matches(profile)` decides for one person as
their inbox is read. The two must always agree; the tests hold them to it on a random city.

Every criterion left empty means "anyone". Criteria combine with AND; the values within one
criterion with OR ("in 姑苏区 or 吴中区, and aged 60 or more"). Districts and streets are one
criterion, the place: "in 姑苏区 or in 娄葑街道" reaches both, so a street is chosen without its
district. Staff accounts are never in an audience.

Age bands are counted from the birth year kept at real-name verification, so they are exact
to within the year; someone who never verified has no age and is in no age band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from citygate.accounts.models import Enterprise, EnterpriseAgent, User, VerificationLevel
from citygate.core.errors import InvalidInput

ROLE_RESIDENT = "resident"
ROLE_ENTERPRISE = "enterprise"
ROLES = {ROLE_RESIDENT: _("Residents"), ROLE_ENTERPRISE: _("Enterprises (their agents)")}

# Band name -> (youngest age, oldest age or None).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "under_18": (0, 17),
    "18_34": (18, 34),
    "35_59": (35, 59),
    "60_plus": (60, None),
}
AGE_BAND_LABELS = {
    "under_18": _("Under 18"),
    "18_34": _("18 to 34"),
    "35_59": _("35 to 59"),
    "60_plus": _("60 and over"),
}
LANGUAGES = {"zh-hans": _("Chinese"), "en": _("English")}
DEFAULT_LANGUAGE = "zh-hans"
MAX_VALUES = 50


@dataclass(frozen=True)
class Profile:
    """What a segment may ask about one person, and nothing more."""

    district: str | None
    street: str | None
    is_enterprise: bool
    birth_year: int | None
    language: str
    verification_level: int
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Segment:
    districts: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    min_level: int = VerificationLevel.PHONE

    @property
    def is_everyone(self) -> bool:
        return (
            not (
                self.districts
                or self.streets
                or self.roles
                or self.age_bands
                or self.languages
                or self.tags
            )
            and self.min_level <= VerificationLevel.PHONE
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "districts": list(self.districts),
            "streets": list(self.streets),
            "roles": list(self.roles),
            "age_bands": list(self.age_bands),
            "languages": list(self.languages),
            "tags": list(self.tags),
            "min_level": self.min_level,
        }

    # --- one person -------------------------------------------------------------------------

    def matches(self, profile: Profile, *, today: date | None = None) -> bool:
        if (self.districts or self.streets) and not (
            profile.district in self.districts or profile.street in self.streets
        ):
            return False
        if self.roles and not _role_matches(self.roles, profile.is_enterprise):
            return False
        if self.age_bands:
            if profile.birth_year is None:
                return False
            age = (today or timezone.localdate()).year - profile.birth_year
            if not any(_in_band(band, age) for band in self.age_bands):
                return False
        if self.languages and profile.language not in self.languages:
            return False
        if self.tags and not profile.tags.intersection(self.tags):
            return False
        return profile.verification_level >= self.min_level

    # --- the whole city ---------------------------------------------------------------------

    def q(self, *, today: date | None = None) -> Q:
        """The segment as a filter on User (active residents only)."""
        query = Q(is_active=True, login_name__isnull=True)
        if self.districts or self.streets:
            place = Q()
            if self.districts:
                place |= Q(home_district__code__in=self.districts)
            if self.streets:
                place |= Q(home_street__code__in=self.streets)
            query &= place
        if self.roles and set(self.roles) != set(ROLES):
            enterprise = _enterprise_q()
            query &= enterprise if ROLE_ENTERPRISE in self.roles else ~enterprise
        if self.age_bands:
            year = (today or timezone.localdate()).year
            bands = Q()
            for band in self.age_bands:
                youngest, oldest = AGE_BANDS[band]
                years = Q(birth_year__lte=year - youngest)
                if oldest is not None:
                    years &= Q(birth_year__gte=year - oldest)
                bands |= years
            query &= bands
        if self.languages:
            languages = Q(preferred_language__in=self.languages)
            if DEFAULT_LANGUAGE in self.languages:
                # Someone who never chose reads the site in its default language.
                languages |= Q(preferred_language="")
            query &= languages
        if self.tags:
            query &= _tags_q(self.tags, today)
        if self.min_level > VerificationLevel.PHONE:
            query &= Q(verification_level__gte=self.min_level)
        return query


def _in_band(band: str, age: int) -> bool:
    youngest, oldest = AGE_BANDS[band]
    return age >= youngest and (oldest is None or age <= oldest)


def _role_matches(roles: Sequence[str], is_enterprise: bool) -> bool:
    return (ROLE_ENTERPRISE in roles and is_enterprise) or (
        ROLE_RESIDENT in roles and not is_enterprise
    )


def _enterprise_q() -> Q:
    """Acts for an enterprise today: its legal representative or an agent still valid."""
    today = timezone.localdate()
    agency = EnterpriseAgent.objects.filter(
        user=OuterRef("pk"), revoked_at__isnull=True, valid_until__gte=today
    )
    represents = Enterprise.objects.filter(legal_rep=OuterRef("pk"))
    return Q(Exists(agency)) | Q(Exists(represents))


def _tags_q(tags: Sequence[str], today: date | None) -> Q:
    from citygate.campaigns import interests

    return interests.following_q(tags, today=today)


def profile_of(user: User) -> Profile:
    """The person as segments see them (a query or two; only read when a campaign is new)."""
    from citygate.campaigns import interests

    district, street = (
        User.objects.filter(pk=user.pk)
        .values_list("home_district__code", "home_street__code")
        .get()
    )
    return Profile(
        district=district,
        street=street,
        is_enterprise=User.objects.filter(pk=user.pk).filter(_enterprise_q()).exists(),
        birth_year=user.birth_year,
        language=user.preferred_language or DEFAULT_LANGUAGE,
        verification_level=user.verification_level,
        tags=interests.followed_by(user),
    )


def segment_from(data: Mapping[str, object]) -> Segment:
    """A segment from what an editor sent; every wrong value is named by its field."""
    from citygate.directory.models import District, Street

    errors: dict[str, str | Promise] = {}

    def values(name: str, known: set[str] | None, most: int = MAX_VALUES) -> tuple[str, ...]:
        raw = data.get(name) or []
        if isinstance(raw, str) or not isinstance(raw, Sequence) or len(raw) > most:
            errors[name] = _("Choose from the listed values.")
            return ()
        chosen = tuple(dict.fromkeys(str(value) for value in raw))
        if known is not None and not set(chosen) <= known:
            errors[name] = _("Choose from the listed values.")
            return ()
        return tuple(sorted(chosen))

    districts = values("districts", set(District.objects.values_list("code", flat=True)))
    # Retired streets too: a campaign written before a new edition still names them, and
    # still reaches the people who keep them.
    known_streets = set(Street.objects.values_list("code", flat=True))
    streets = values("streets", known_streets, most=len(known_streets))
    roles = values("roles", set(ROLES))
    age_bands = values("age_bands", set(AGE_BANDS))
    languages = values("languages", set(LANGUAGES))
    from citygate.campaigns import interests

    tags = values("tags", interests.known_tags())
    level = data.get("min_level", VerificationLevel.PHONE)
    if isinstance(level, str) and level.isdigit():
        level = int(level)
    if isinstance(level, bool) or level not in VerificationLevel.values:
        errors["min_level"] = _("Choose one of the listed levels.")
        level = VerificationLevel.PHONE
    if errors:
        raise InvalidInput(errors)
    assert isinstance(level, int)  # noqa: S101
    return Segment(
        districts=districts,
        streets=streets,
        roles=roles,
        age_bands=age_bands,
        languages=languages,
        tags=tags,
        min_level=level,
    )
