"""Shortcodes: a media ID written in URL-safe base64 digits, as the photo's short link."""

from __future__ import annotations

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
