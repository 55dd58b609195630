"""Shortcodes: a media ID written in URL-safe base64 digits, as the photo's short link."""

from __future__ import annotations

from urllib.parse import urlsplit

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
VALUE = {c: i for i, c in enumerate(ALPHABET)}


def encode(media_id: int) -> str:
    digits = []
    while True:
        media_id, digit = divmod(media_id, 64)
        digits.append(ALPHABET[digit])
        if not media_id:
            return "".join(reversed(digits))


def decode(code: str) -> int:
    """The media ID of a shortcode; ValueError for one that cannot be a filmroll shortcode."""
    if not 1 <= len(code) <= 11 or any(c not in VALUE for c in code):
        raise ValueError(f"{code!r} is not a shortcode")
    value = 0
    for c in code:
        value = value * 64 + VALUE[c]
    return value


def from_text(raw: str) -> int:
    """The media ID in a shortcode or in the address of a photo page (`…/p/CODE/`, with or
    without the host); ValueError for anything else."""
    text = raw.strip()
    path = urlsplit(text).path if "://" in text else text
    if "/p/" in f"/{path.lstrip('/')}":
        code = f"/{path.lstrip('/')}".split("/p/", 1)[1].split("/", 1)[0]
        return decode(code)
    if "/" in text:
        raise ValueError(f"{raw!r} is not the address of a photo page (…/p/CODE/)")
    return decode(text)
