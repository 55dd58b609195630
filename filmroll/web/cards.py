"""Photo cards kept drawn. The home feed's dozen cards cost more to draw than the whole API read
behind the page, so a signed-in viewer's card is drawn once per process for each form of its
object and language, and kept. The object (the API's JSON of the photo for this viewer) holds
everything the card shows, the viewer's own parts included: liked, saved, and likers, comments
and people in the photo less those in a block with the viewer. So the object itself is the key,
and a card is never shown for an object it was not drawn from. What changes from one request to
the next is spliced in: the page's CSRF token (never kept in shared HTML), the address the
forms come back to, and how long ago each time was (a <time>'s short text)."""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import orjson
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from filmroll.web.kept import Kept

KEPT = 1024  # cards a process keeps, least recently used out first (~7 KB each with its key)
CSRF, BACK = "\x00c\x00", "\x00b\x00"  # slots; NUL is in no stored text (wellformed refuses it)


@dataclass(frozen=True)
class Drawn:
    pieces: tuple[str, ...]  # the card's HTML around its slots, one more than the slots
    slots: tuple[str, ...]  # "c" the CSRF token, "b" the page's address, else a time's seconds


_kept: Kept[Drawn] = Kept(KEPT)


def kept(
    items: Sequence[dict], csrf: str, back: str, draw: Callable[..., SafeString]
) -> SafeString:
    """The cards of these objects for the signed-in viewer whose objects they are: `draw(item,
    csrf, back, short=...)` draws a card once (`short` gives a time's short text), then it
    is kept."""
    language, now = get_language(), time.time()
    # each slot's text, escaped as format_html escapes (Django's escape is html.escape)
    filled = {"c": html.escape(str(csrf)), "b": html.escape(back)}
    out: list[str] = []
    for item in items:
        drawn = _drawn(item, language, draw)
        if drawn is None:
            out.append(draw(item, csrf, back))
            continue
        for piece, slot in zip(drawn.pieces, drawn.slots, strict=False):
            if slot not in filled:
                filled[slot] = html.escape(age_text(int(slot), now, language))
            out.append(piece)
            out.append(filled[slot])
        out.append(drawn.pieces[-1])
    return mark_safe("".join(out))  # pieces drawn escaped, slots escaped above


def _drawn(item: dict, language: str | None, draw: Callable[..., SafeString]) -> Drawn | None:
    """The item's card drawn with its slots, kept; None for an item holding a NUL (no slot
    could be told from its text), which is drawn each time."""
    key = orjson.dumps(item)
    if b"\\u0000" in key:
        return None

    def made() -> Drawn:
        return slotted(draw(item, CSRF, BACK, short=lambda seconds: f"\x00{seconds}\x00"))

    return _kept.get((language, key), made)


def slotted(drawn: str) -> Drawn:
    """HTML drawn with slots ("\x00c\x00") in place of what changes, as its pieces and slots."""
    parts = drawn.split("\x00")
    return Drawn(tuple(parts[0::2]), tuple(parts[1::2]))


def spliced(drawn: Drawn, filled: dict[str, str]) -> SafeString:
    """The HTML with each slot's text, escaped already, put in (the footer's)."""
    out = [drawn.pieces[0]]
    for slot, piece in zip(drawn.slots, drawn.pieces[1:], strict=True):
        out.append(filled[slot])
        out.append(piece)
    return mark_safe("".join(out))  # pieces drawn escaped, slots escaped by the caller


def age_text(seconds: int, now: float, language: str | None = None) -> str:
    """How long ago, short as on a phone: "now", "5m", "3h", "2d", "4w"."""
    just, minutes, hours, days, weeks = _units(language or get_language())
    age = max(0, int(now - seconds))
    if age < 60:
        return just
    if age < 3600:
        return minutes % {"n": age // 60}
    if age < 86400:
        return hours % {"n": age // 3600}
    if age < 7 * 86400:
        return days % {"n": age // 86400}
    return weeks % {"n": age // (7 * 86400)}


@functools.lru_cache(maxsize=32)
def _units(language: str | None) -> tuple[str, ...]:
    """The words of `age_text` in the active language (which is `language`), looked up once."""
    return (gettext("now"), gettext("%(n)dm"), gettext("%(n)dh"), gettext("%(n)dd"),
            gettext("%(n)dw"))  # fmt: skip


def forget() -> None:
    """Drop every kept card (tests)."""
    _kept.clear()
