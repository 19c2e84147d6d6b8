"""Checks for the numbers people type: mobile numbers, resident ID numbers, credit codes.

Each parser returns the number in its canonical form (with what it encodes) or raises
`InvalidNumber` carrying a stable `code` and a translated `reason` that says what is wrong, so a
form can tell an elderly person "the date of birth is not valid" rather than "invalid input".
The exception text is the code alone: the number itself never reaches a traceback.
"""

from __future__ import annotations

import datetime
import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class InvalidNumber(ValueError):
    def __init__(self, code: str, reason: str | Promise) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


def _canonical(value: str) -> str:
    # NFKC turns full-width digits and letters (common with Chinese input methods) into ASCII.
    return unicodedata.normalize("NFKC", value).strip()


# --- Mainland mobile numbers ------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-]")
_PHONE_PREFIXES = ("+86", "0086", "86")


def parse_phone(value: str) -> str:
    """The 11-digit mainland mobile number, from input with an optional +86 and separators."""
    text = _PHONE_SEPARATORS.sub("", _canonical(value))
    if not text:
        raise InvalidNumber("phone_empty", _("Enter your mobile number."))

    for prefix in _PHONE_PREFIXES:
        # Only a number longer than 11 digits can carry a country code: a bare mobile number
        # starts with 1, so "86..." of length 11 is not a prefixed number.
        if text.startswith(prefix) and len(text) > 11:
            text = text[len(prefix) :]
            break
    if not text.isascii() or not text.isdigit():
        raise InvalidNumber("phone_characters", _("Use digits only; spaces and dashes are fine."))
    if len(text) != 11:
        raise InvalidNumber("phone_length", _("A mainland mobile number has 11 digits."))
    if text[0] != "1" or text[1] not in "3456789":
        raise InvalidNumber("phone_prefix", _("A mainland mobile number starts with 13 to 19."))
    return text


# --- Resident ID numbers, GB 11643-1999 -------------------------------------------------------

# ISO 7064 MOD 11-2: weight of position i (1-based) is 2^(18-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
# GB 11643 leaves no room for people born before 1900; a later date cannot be a birth date.
EARLIEST_BIRTH_YEAR = 1900


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class Division:
    """An administrative division (GB/T 2260) as recorded in the historical code table."""

    code: str
    name: str
    province: str
    # The last year the code was in use, or None while it still is.
    retired_after: int | None


@dataclass(frozen=True)
class ResidentIdNumber:
    number: str
    birth_date: datetime.date
    sex: Sex
    division: Division


def id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class _DivisionEntry:
    start: int | None
    end: int | None
    name: str


def _parse_county(text: str) -> list[_DivisionEntry]:
    """Entries such as "[1983-2012]沧浪区" or "[-1991]东郊区,[1992-]东丽区"."""
    entries = []
    for part in text.split(","):
        start = end = None
        name = part
        if part.startswith("[") and "]" in part:
            years, name = part[1:].split("]", 1)
            first, _sep, last = years.partition("-")
            start = int(first) if first else None
            end = int(last) if last else None
        entries.append(_DivisionEntry(start, end, name))
    return entries


@lru_cache(maxsize=4096)
def _division_entries(code: str) -> tuple[str, tuple[_DivisionEntry, ...]]:
    # python-stdnum ships the historical division table (built from the GB/T 2260 lists, with
    # the years each code was in use); only the data is used, the checks here are our own.
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2 or len(parts[0][0]) != 2:
        return "", ()
    province = parts[0][1].get("province", "")
    county = parts[1][1].get("county", "")
    if not province or not county:
        return "", ()
    return province, tuple(_parse_county(county))


def division_for(code: str, *, birth_year: int) -> Division:
    """The division an ID number's address code names, for someone born in `birth_year`.

    A number keeps the code of the place and time it was issued, so codes retired since then
    (320502 沧浪区, 320584 吴江市) stay valid. A code introduced after the birth year is also
    fine: people receive numbers years after birth. Only a code retired before the person was
    born cannot be theirs.
    """
    province, entries = _division_entries(code)
    if not entries:
        raise InvalidNumber("id_division_unknown", _("The region code is not known."))

    usable = [entry for entry in entries if entry.end is None or birth_year <= entry.end]
    if not usable:
        raise InvalidNumber(
            "id_division_retired",
            _("The region code had been retired before the date of birth."),
        )
    in_use = [e for e in usable if (e.start or 0) <= birth_year]
    entry = (in_use or usable)[0]
    return Division(code=code, name=entry.name, province=province, retired_after=entry.end)


def parse_id_number(value: str, *, today: datetime.date | None = None) -> ResidentIdNumber:
    """A resident ID number checked against GB 11643-1999, and what it encodes."""
    number = _canonical(value).replace(" ", "").upper()
    if not number:
        raise InvalidNumber("id_empty", _("Enter your ID number."))
    if len(number) == 15 and number.isdigit():
        raise InvalidNumber(
            "id_old_format",
            _("Old 15-digit numbers are not accepted; use the 18-character number on your card."),
        )
    if len(number) != 18:
        raise InvalidNumber("id_length", _("A resident ID number has 18 characters."))
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise InvalidNumber(
            "id_characters", _("Use digits only; the last character may also be X.")
        )
    if number[17] != id_check_char(number[:17]):
        raise InvalidNumber("id_check", _("The check character is incorrect."))

    birth_date = _birth_date(number[6:14], today=today or timezone.localdate())
    division = division_for(number[:6], birth_year=birth_date.year)
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return ResidentIdNumber(number=number, birth_date=birth_date, sex=sex, division=division)


def _birth_date(text: str, *, today: datetime.date) -> datetime.date:
    try:
        born = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        born = None
    if born is None or born.year < EARLIEST_BIRTH_YEAR or born > today:
        raise InvalidNumber("id_birth_date", _("The date of birth is not valid."))
    return born


# --- Unified social credit codes, GB 32100-2015 -----------------------------------------------

# 31 characters: digits and capital letters without I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registration authorities: 1-9 (机构编制, 外交, 司法行政, 文化, 民政, 旅游, 宗教, 工会, 工商),
# A (中央军委改革和编制办公室), N (农业), Y (other).
REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
# GB 11714-1997 organisation code: weights of the 8 body characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CreditCode:
    code: str
    registration_authority: str
    entity_category: str
    division_code: str
    organisation_code: str


def credit_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * weight
        for ch, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organisation_check_char(body: str) -> str:
    # GB 11714 values letters A=10 ... Z=35 over the whole Latin alphabet, unlike GB 32100.
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * weight
        for ch, weight in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def parse_credit_code(value: str) -> CreditCode:
    """A unified social credit code checked against GB 32100-2015 and GB 11714-1997."""
    code = _canonical(value).replace(" ", "").upper()
    if not code:
        raise InvalidNumber("credit_empty", _("Enter the unified social credit code."))
    if len(code) != 18:
        raise InvalidNumber("credit_length", _("A unified social credit code has 18 characters."))
    if any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        raise InvalidNumber(
            "credit_characters",
            _("Use digits and capital letters only; the letters I, O, S, V and Z are not used."),
        )
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise InvalidNumber(
            "credit_authority", _("The first character (registration authority) is not valid.")
        )
    if not code[2:8].isdigit():
        raise InvalidNumber(
            "credit_division", _("Characters 3 to 8 must be digits (the region code).")
        )
    if code[16] != organisation_check_char(code[8:16]):
        raise InvalidNumber(
            "credit_organisation_code",
            _("The organisation code (characters 9 to 17) is incorrect."),
        )
    if code[17] != credit_check_char(code[:17]):
        raise InvalidNumber("credit_check", _("The check character is incorrect."))
    return CreditCode(
        code=code,
        registration_authority=code[0],
        entity_category=code[1],
        division_code=code[2:8],
        organisation_code=code[8:17],
    )


# --- Names as on an ID card -------------------------------------------------------------------

# Middle dots join the parts of minority and transliterated names (阿依古丽·买买提).
NAME_JOINERS = frozenset("·•・")
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 40


def parse_person_name(value: str) -> str:
    """A person's name as printed on their ID card: letters and middle dots, single spaces."""
    name = " ".join(_canonical(value).split())
    if not name:
        raise InvalidNumber("name_empty", _("Enter your name as it is on your ID card."))
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise InvalidNumber(
            "name_length",
            _("A name has %(min)d to %(max)d characters.")
            % {"min": NAME_MIN_LENGTH, "max": NAME_MAX_LENGTH},
        )
    if any(not (ch.isalpha() or ch in NAME_JOINERS or ch == " ") for ch in name):
        raise InvalidNumber(
            "name_characters",
            _("Write the name exactly as on your ID card, without digits or symbols."),
        )
    return name


# --- Names of organisations -------------------------------------------------------------------

ORGANISATION_NAME_MAX_LENGTH = 100


def parse_organisation_name(value: str) -> str:
    """An enterprise's registered name: printable text on one line."""
    name = " ".join(_canonical(value).split())
    if len(name) < 2:
        raise InvalidNumber("organisation_name_empty", _("Enter the registered name."))
    if len(name) > ORGANISATION_NAME_MAX_LENGTH:
        raise InvalidNumber(
            "organisation_name_length",
            _("Use at most %(max)d characters.") % {"max": ORGANISATION_NAME_MAX_LENGTH},
        )
    if any(not ch.isprintable() for ch in name):
        raise InvalidNumber(
            "organisation_name_characters", _("The name contains characters that are not text.")
        )
    return name
