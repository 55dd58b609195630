"""Access tokens: django-oauth-toolkit's tokens, issued by filmroll's own first-party app."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken, set_token_value

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
# minute; revoking deletes the entry, so a revoked token stops working at once everywhere. A
# per-process cache could not be told of a revocation elsewhere, so nothing is kept there.
CACHE_SECONDS = 60


def _key(checksum: str) -> str:
    return f"token:{checksum}"


def lookup(raw: str) -> AccessToken:
    """The live token for `raw`, with its user; BadToken when it is unknown, expired or revoked."""
    if not raw:
        raise BadToken("the access token provided is invalid")
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    shared = bool(settings.FILMROLL.cache_servers)
    token = cache.get(_key(checksum)) if shared else None
    if token is None:
        token = (
            AccessToken.objects.select_related("user", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is not None and shared:
            cache.set(_key(checksum), token, CACHE_SECONDS)
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        raise BadToken("the access token provided is invalid")
    return token


def revoke(token: AccessToken) -> None:
    AccessToken.objects.filter(pk=token.pk).delete()


def forget(sender, instance: AccessToken, **kwargs) -> None:
    """A deleted token (logged out, revoked by its user or its app, expired and cleared) leaves
    the shared cache at once, however it was deleted; connected in AccountsConfig.ready."""
    if settings.FILMROLL.cache_servers:
        cache.delete(_key(instance.token_checksum))


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
        cache.delete_many([_key(c) for c in checksums])
