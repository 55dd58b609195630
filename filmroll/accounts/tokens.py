"""Access tokens: django-oauth-toolkit's tokens, issued by filmroll's own first-party app."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken, set_token_value

from filmroll import multiget
from filmroll.accounts.models import User
from filmroll.errors import BadToken

FIRST_PARTY = "filmroll"
ALL_SCOPES = " ".join(settings.OAUTH2_PROVIDER["SCOPES"])


def _first_party_app() -> Application:
    app = Application.objects.filter(name=FIRST_PARTY, user=None).first()
    if app is None:
        app = Application.objects.create(
            name=FIRST_PARTY,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_PASSWORD,
            skip_authorization=True,
        )
    return app


def first_party(token: AccessToken) -> bool:
    """Whether filmroll itself (not a third-party app) holds the token. Apps people register
    always have an owner; only filmroll's own has none (and staff could make one in the admin)."""
    app = token.application
    return app is not None and app.name == FIRST_PARTY and app.user_id is None


def issue(user: User) -> str:
    """A new token for the user with every scope (the user signed in directly)."""
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        user=user,
        application=_first_party_app(),
        expires=timezone.now() + timedelta(days=settings.FILMROLL.token_days),
        scope=ALL_SCOPES,
    )
    set_token_value(token, raw)  # only a checksum is stored at rest
    token.save()
    return raw


# With a shared cache (memcached) every request's token and user come from it for up to a
# minute; revoking deletes the entry, so a revoked token stops working at once everywhere. Each
# entry carries a stamp of its own, made when it was stored: a process may keep a copy of the
# token (`kept`) only to serve a read that checks, in its own multi-get, that memcached still
# holds that stamp (api/envelope.py), so the copy is exactly as current as the shared entry.
CACHE_SECONDS = 60
KEPT = 10_000  # tokens a process keeps; all are dropped when it would keep more


def _key(checksum: str) -> str:
    return f"tok:{checksum}"


def _old_key(checksum: str) -> str:
    """The entry as processes before the stamps stored it (the bare token): deleted too, while
    such a process may still be running."""
    return f"token:{checksum}"


@dataclass(frozen=True)
class Kept:
    """This process's copy of a token: its shared entry's key and stamp, the token with its user
    and app, and when the copy is dropped."""

    key: str
    stamp: str
    token: AccessToken
    until: float


_kept: dict[str, Kept] = {}


def lookup(raw: str) -> AccessToken:
    """The live token for `raw`, with its user; BadToken when it is unknown, expired or revoked."""
    if not raw:
        raise BadToken("the access token provided is invalid")
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    shared = bool(settings.FILMROLL.cache_servers)
    entry = cache.get(_key(checksum)) if shared else None
    token = entry[1] if isinstance(entry, tuple) else None  # (stamp, token, stored at)
    if token is None:
        token = (
            AccessToken.objects.select_related("user", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is not None and shared:
            entry = (secrets.token_hex(8), token, time.time())
            cache.set(_key(checksum), entry, CACHE_SECONDS)
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        _kept.pop(checksum, None)
        raise BadToken("the access token provided is invalid")
    if shared and isinstance(entry, tuple):
        _keep(checksum, entry, token)
    return token


def _keep(checksum: str, entry: tuple, token: AccessToken) -> None:
    """Keep a copy no longer than memcached keeps the entry (stored at entry[2])."""
    held = _kept.get(checksum)
    if held is not None and held.stamp == entry[0]:
        return
    left = CACHE_SECONDS - (time.time() - entry[2])
    if left > 1:
        if len(_kept) >= KEPT:
            _kept.clear()
        _kept[checksum] = Kept(_key(checksum), entry[0], _copied(token), time.monotonic() + left)


def kept(raw: str) -> Kept | None:
    """This process's copy of the live token for `raw` (a copy of its own for this request),
    to be checked against the shared entry before the answer is given (`confirmed`); None when
    there is none, or it has expired."""
    if not raw:
        return None
    found = _kept.get(hashlib.sha256(raw.encode()).hexdigest())
    if found is None or found.until < time.monotonic() or found.token.is_expired():
        return None
    return dataclasses.replace(found, token=_copied(found.token))


def confirmed(copy: Kept, answers: dict[str, Any]) -> bool:
    """Whether the shared entry still holds the copy's stamp (`answers`: what a multi-get of the
    request brought for its key, objcache.riding; asked now when none did). When it does not
    (revoked, the user changed, or simply expired), the copy is dropped."""
    entry = answers[copy.key] if copy.key in answers else cache.get(copy.key)
    if isinstance(entry, tuple) and entry[0] == copy.stamp:
        return True
    checksum = copy.key.partition(":")[2]
    if (held := _kept.get(checksum)) is not None and held.stamp == copy.stamp:
        _kept.pop(checksum, None)
    return False


def _copied(token: AccessToken) -> AccessToken:
    """A copy of the token, its user and its app, as unpickling would make them: a request may
    set attributes on its own, never on the copy other threads are given."""
    copy = multiget.model_copy(token)
    copy._state.fields_cache = {
        name: multiget.model_copy(related) if related is not None else None
        for name, related in token._state.fields_cache.items()
    }
    return copy


def revoke(token: AccessToken) -> None:
    AccessToken.objects.filter(pk=token.pk).delete()


def forget(sender, instance: AccessToken, **kwargs) -> None:
    """A deleted token (logged out, revoked by its user or its app, expired and cleared) leaves
    the shared cache at once, however it was deleted; connected in AccountsConfig.ready."""
    if settings.FILMROLL.cache_servers:
        _drop([_key(instance.token_checksum), _old_key(instance.token_checksum)])


def revoke_all(user: User) -> None:
    """End everything that acts for the user without a password (a password change or reset):
    authorization codes not yet exchanged, refresh tokens and access tokens. Web sessions end by
    themselves: each keeps a hash of the password it began with."""
    uncache(user)
    Grant.objects.filter(user=user).delete()
    RefreshToken.objects.filter(user=user).delete()
    AccessToken.objects.filter(user=user).delete()


def uncache(user: User) -> None:
    """Drop the cached copies of the user's tokens (each holds a copy of the user) after the user
    changed."""
    if settings.FILMROLL.cache_servers:
        checksums = AccessToken.objects.filter(user=user).values_list("token_checksum", flat=True)
        _drop([key for c in checksums for key in (_key(c), _old_key(c))])


def _drop(keys: list[str]) -> None:
    """Delete the entries now, and again when each open transaction commits: until then a
    request in another process still reads the token and its user as they were (not revoked,
    active) and stores them for a minute."""

    def delete() -> None:
        cache.delete_many(keys)

    delete()
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            transaction.on_commit(delete, using=connection.alias)
