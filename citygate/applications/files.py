"""What an uploaded file really is: its type from its first bytes, not from its name.

Only the types a form can accept are known (PDF, JPEG, PNG). A file whose bytes and name
disagree (a program renamed to .pdf, a PNG called .jpg) is refused, and so is a PDF that
carries JavaScript or launches actions, which no scanned material needs.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import IO

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": {"pdf"}, "jpeg": {"jpg", "jpeg"}, "png": {"png"}}
# Active content in a PDF: none of it belongs in a scanned document. (A script action names
# /S /JavaScript, so the one word finds both kinds of script.) The words are long enough not
# to turn up by chance in compressed image data.
_PDF_ACTIVE = (b"/JavaScript", b"/Launch", b"/EmbeddedFile")


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "pdf", "jpeg" or "png"
    content_type: str
    size: int
    sha256: str


class FileRefused(ValueError):
    """Why a file cannot be taken; the text is a code: "type", "mismatch", "active", "empty"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(stream: IO[bytes], name: str) -> Sniffed:
    """The file's kind, size and digest; FileRefused when it is none of the known kinds."""
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    if not data:
        raise FileRefused("empty")
    kind = next(
        (k for k, marks in SIGNATURES.items() if any(data.startswith(m) for m in marks)), None
    )
    if kind is None:
        raise FileRefused("type")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[kind]:
        raise FileRefused("mismatch")
    if kind == "pdf" and _pdf_active(data):
        raise FileRefused("active")
    return Sniffed(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Compressed streams are opened to look inside, up to this much text in all (a small file
# that unpacks to gigabytes is refused as if it were active).
INFLATED_MAX = 64 * 2**20


def _names_plain(data: bytes) -> bytes:
    # A PDF name may spell its letters as #xx: /J#61vaScript is /JavaScript.
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _pdf_active(data: bytes) -> bool:
    """Whether the PDF holds scripts, launch actions or attached files, in its plain objects
    or inside its compressed streams (object streams included)."""
    if any(mark in _names_plain(data) for mark in _PDF_ACTIVE):
        return True
    budget = INFLATED_MAX
    for found in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(found.group(1), budget + 1)
        except zlib.error:
            continue  # not Flate (an image's own coding): nothing to read in it
        budget -= len(text)
        if budget < 0:
            return True
        if any(mark in _names_plain(text) for mark in _PDF_ACTIVE):
            return True
    return False
