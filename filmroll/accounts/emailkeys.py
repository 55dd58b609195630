"""The keyed index of e-mail addresses that contact matching looks people up by.

Apps send SHA-256 hashes of lower-cased, trimmed addresses from the phone's address book
(discovery/contacts.py), so the server must compare against SHA-256 of its users' addresses. A
column of plain SHA-256 hashes would be a second copy of every address to anyone who stole the
database: e-mail addresses are guessable, and a dictionary of likely ones hashes in seconds. So
what is stored is HMAC-SHA-256 under a key derived from SECRET_KEY, over the SHA-256 of the
address: the server turns each hash a client sends into the same keyed value and looks that up;
without the key the stored values are worth nothing. Changing SECRET_KEY changes the key:
`rekey(User)` then computes the column again (the 0003 migration does the same for existing
users). The raw addresses an app sends never reach the server, and the hashes it sends are
neither stored nor logged.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def address_hash(email: str) -> str:
    """What a client sends for an address: SHA-256 hex of it trimmed and lower-cased."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@functools.cache
def _key(secret_key: str) -> bytes:
    return hashlib.sha256(b"filmroll.emailkeys\0" + secret_key.encode()).digest()


def keyed(sha256_hex: str) -> str:
    """The stored value for a client's hash (64 lower-case hex digits)."""
    return hmac.new(
        _key(settings.SECRET_KEY), bytes.fromhex(sha256_hex), hashlib.sha256
    ).hexdigest()


def email_key(email: str) -> str:
    """The stored value for a user's address; empty for no address (matches no hash)."""
    return keyed(address_hash(email)) if email.strip() else ""


def rekey(user_model: Any, batch: int = 1000) -> int:
    """Compute every user's key again (after SECRET_KEY changed, or to fill the column);
    how many users there are. Takes the model so a migration can pass its historical one."""
    done, after = 0, None
    while True:
        users = user_model.objects.order_by("id")
        if after is not None:
            users = users.filter(id__gt=after)
        chunk = list(users.only("id", "email")[:batch])
        if not chunk:
            return done
        for user in chunk:
            user.email_key = email_key(user.email or "")
        user_model.objects.bulk_update(chunk, ["email_key"], batch_size=batch)
        done, after = done + len(chunk), chunk[-1].id
