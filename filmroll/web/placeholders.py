"""Blurhash placeholders for the web pages: each photo's hash drawn as a tiny PNG, shown as the
image's background until the photo loads (data: URLs, allowed by the pages' CSP)."""

from __future__ import annotations

import base64
import functools
import io

import blurhash


@functools.lru_cache(maxsize=4096)
def data_url(hash_: str | None) -> str:
    if not hash_:
        return ""
    try:
        image = blurhash.decode(hash_, 16, 16, mode=blurhash.PixelMode.RGB)
    except (blurhash.BlurhashDecodeError, ValueError):
        return ""
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
