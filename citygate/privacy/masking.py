"""Masked forms of personal data, for screens and printouts that need to show "whose" only.

The formats follow common Chinese practice (GB/T 35273 asks for display limits but fixes no
format): a mobile number keeps its first 3 and last 4 digits, a resident ID number its 6-digit
division code and last 4, a name its first character, an address its administrative levels
down to the subdistrict or town. Every function takes None or "" and returns "".
"""

from __future__ import annotations

import re

MASK = "*"
# A hidden tail is shown as a fixed run, so the mask does not tell how long the tail was.
HIDDEN_TAIL = "****"

# Characters that separate the parts of a name and stay visible: the middle dot of
# transliterated minority and foreign names (阿卜杜拉·买买提), spaces and hyphens.
_NAME_SEPARATORS = frozenset("·・•.- \u3000")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def mask_phone(phone: str | None) -> str:
    """``13800138000`` -> ``138****8000``; a +86 or 86 prefix is dropped first."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not digits:
        return ""
    if len(digits) < 8:
        # Too short to be a mobile number (a bad entry or an extension): show nothing of it.
        return MASK * len(digits)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


def mask_id_number(id_number: str | None) -> str:
    """``110105198001010123`` -> ``110105********0123``: the division code and last 4 stay."""
    text = (id_number or "").strip().upper()
    if not text:
        return ""
    if len(text) < 12:
        return MASK * len(text)
    return text[:6] + MASK * (len(text) - 10) + text[-4:]


def mask_name(name: str | None) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``, ``John Smith`` -> ``J*** S****``.

    A Chinese name keeps its first character (usually the surname, or the first of a compound
    surname). A Latin-script name keeps the first letter of each word.
    """
    text = " ".join((name or "").split())
    if not text:
        return ""
    if _CJK_RE.search(text):
        if len(text) == 1:
            return MASK
        return text[0] + "".join(ch if ch in _NAME_SEPARATORS else MASK for ch in text[1:])
    return re.sub(r"[^\W\d_]+|\d+", lambda m: m.group(0)[0] + MASK * (len(m.group(0)) - 1), text)


# Administrative levels of a Chinese address, most general first. Each part is a run of Han
# characters ending in its level's suffix; digits or road words end the search, so that a
# residential compound (…小区) is never mistaken for a district (…区).
_LEVELS = (
    r"(?:省|自治区|特别行政区)",
    r"(?:市|自治州|盟|地区)",
    r"(?:区|县|旗|市|林区|特区)",
    r"(?:街道|镇|乡|苏木)",
)
_NOT_ADMIN = re.compile(r"[路街巷弄道号幢栋楼室单元村组小苑园里坊湾]")
_ENGLISH_LEVEL = re.compile(
    r"\b(?:district|county|subdistrict|town|township|city|province|prefecture)\b", re.IGNORECASE
)


def _admin_prefix(text: str) -> str:
    """The leading administrative part of a Chinese address ("江苏省苏州市姑苏区平江街道")."""
    kept = ""
    rest = text
    for suffix in _LEVELS:
        match = re.match(rf"([\u3400-\u9fff]{{1,12}}?{suffix})", rest)
        if match is None:
            continue
        part = match.group(1)
        body = part[: -1 if len(part) > 1 else None]
        # "苏州工业园区" is a real functional zone; other names with road words are not levels.
        if _NOT_ADMIN.search(body) and not part.endswith(("园区", "街道")):
            continue
        kept += part
        rest = rest[len(part) :]
    return kept


def mask_address(address: str | None) -> str:
    """Keep the address down to the subdistrict or town level and hide the rest.

    ``江苏省苏州市姑苏区平江街道平江路100号`` -> ``江苏省苏州市姑苏区平江街道****``.
    An English address ("Room 5, 100 Pingjiang Rd, Gusu District, Suzhou") is written from the
    most specific part first: its leading parts are hidden up to the first district or town.
    """
    text = (address or "").strip()
    if not text:
        return ""
    if _CJK_RE.match(text):
        kept = _admin_prefix(text)
        return kept + HIDDEN_TAIL if len(kept) < len(text) else kept
    match = _ENGLISH_LEVEL.search(text)
    if match is None:
        return HIDDEN_TAIL
    # Keep from the level's own name ("Gusu" in "Gusu District") to the end.
    start = match.start()
    name = re.search(r"([^\W\d_][\w'-]*)\s+$", text[:start])
    if name is not None:
        start = name.start(1)
    shown = text[start:]
    return f"{HIDDEN_TAIL}, {shown}" if text[:start].strip(" ,") else shown
