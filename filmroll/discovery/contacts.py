"""Finding people from an address book: the app sends SHA-256 hashes of the addresses in it
(lower-cased and trimmed first), never the addresses, and gets back the people they belong to.

The hashes are compared with the keyed index of users' addresses (accounts/emailkeys.py) and
then forgotten: neither they nor what matched are stored or logged. Since anyone could send
hashes of guessed addresses to learn who has an account, a request takes at most PER_REQUEST
hashes and a user at most PER_DAY a day (limits/ratelimit.py, a day's window); past that the
answer is 429 until the window slides.
"""

from __future__ import annotations

from typing import Any

from filmroll.accounts import emailkeys
from filmroll.accounts.models import User
from filmroll.errors import Invalid, RateLimited
from filmroll.graph import visibility
from filmroll.limits import ratelimit

PER_REQUEST = 500
PER_DAY = 2000
DAY = 86400


def parse(raw: Any) -> list[str]:
    """The hashes of a request body's `hashes`: a list of 64-digit hex strings (either case)."""
    if not isinstance(raw, list):
        raise Invalid("hashes must be a JSON list of SHA-256 hex digests of e-mail addresses")
    if len(raw) > PER_REQUEST:
        raise Invalid(f"at most {PER_REQUEST} hashes may be sent at once")
    found = []
    for item in raw:
        if not isinstance(item, str) or not emailkeys.SHA256_HEX.match(item.lower()):
            # the message never repeats the value: it may be something other than a hash
            raise Invalid("each hash must be 64 hexadecimal digits: SHA-256 of an e-mail address")
        found.append(item.lower())
    return list(dict.fromkeys(found))


def match(viewer: User, raw: Any) -> list[User]:
    """The active people whose addresses hash to any of `raw`, less the viewer and anyone in a
    block with the viewer either way; counted against the viewer's daily budget first."""
    hashes = parse(raw)
    rule = [(f"contacts:{viewer.id}", PER_DAY)]
    (room,) = ratelimit.peek(rule, amount=len(hashes), window=DAY)
    if not room.allowed:
        raise RateLimited(
            f"at most {PER_DAY} hashes a day may be matched; {room.remaining} are left for now"
        )
    ratelimit.hit(rule, amount=len(hashes), window=DAY)
    if not hashes:
        return []
    keys = [emailkeys.keyed(h) for h in hashes]
    found = User.objects.filter(email_key__in=keys, is_active=True).exclude(id=viewer.id)
    return visibility.visible_people(viewer.id, found.order_by("username"))
