"""Cover images: taken by what their bytes are, not by their name, and kept in the media
storage under news/.

JPEG and PNG are recognised by the same signatures the applications app checks materials
with (`applications.files.SIGNATURES`); WebP, which only covers take, is a RIFF container
whose form type is "WEBP". A file whose bytes and name disagree is refused.
"""

from __future__ import annotations

import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from citygate.applications.files import EXTENSIONS, SIGNATURES, FileRefused

# Covers are shown on phones: 5 MB is a large photograph already.
COVER_MAX_BYTES = 5 * 2**20
FOLDER = "news"
KINDS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
COVER_EXTENSIONS = {**{kind: EXTENSIONS[kind] for kind in ("jpeg", "png")}, "webp": {"webp"}}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _kind(head: bytes) -> str | None:
    for kind in ("jpeg", "png"):
        if any(head.startswith(mark) for mark in SIGNATURES[kind]):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def cover_check(stream: IO[bytes], name: str, size: int) -> tuple[str, bytes]:
    """The cover's extension and bytes; FileRefused ("empty", "size", "type", "mismatch")."""
    if size > COVER_MAX_BYTES:
        raise FileRefused("size")
    stream.seek(0)
    data = stream.read(COVER_MAX_BYTES + 1)
    if not data:
        raise FileRefused("empty")
    if len(data) > COVER_MAX_BYTES:
        raise FileRefused("size")
    kind = _kind(data[:16])
    if kind is None:
        raise FileRefused("type")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in COVER_EXTENSIONS[kind]:
        raise FileRefused("mismatch")
    return KINDS[kind], data


def cover_store(*, extension: str, data: bytes) -> str:
    """Saves the cover under a name of its own; its name in the storage ("news/<uuid>.jpg")."""
    return default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.{extension}", ContentFile(data))


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
