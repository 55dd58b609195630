"""Where photo files live. Keys are random and never reused, so a CDN may cache them forever."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def new_key(extension: str) -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.{extension}"


def path_of(key: str) -> Path:
    if not KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return Path(settings.MEDIA_ROOT) / key


def save(data: bytes, extension: str) -> str:
    """Store bytes under a fresh key, durably (written, synced, then renamed into place)."""
    key = new_key(extension)
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return key


def delete(key: str) -> None:
    path_of(key).unlink(missing_ok=True)


def url(key: str, request: HttpRequest | None = None) -> str:
    """The absolute URL of a stored file: under FILMROLL_MEDIA_URL, else this site's /media/."""
    base = settings.FILMROLL.media_url
    if base:
        return f"{base}/{key}"
    relative = f"/media/{key}"
    return request.build_absolute_uri(relative) if request is not None else relative
