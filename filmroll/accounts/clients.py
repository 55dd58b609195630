"""Third-party apps (django-oauth-toolkit's Applications) proving who they are."""

from __future__ import annotations

import hmac
from typing import Any

from django.contrib.auth.hashers import check_password
from oauth2_provider.models import Application

from filmroll.errors import BadCredentials, MissingToken, UnknownClient


def authenticate(client_id: Any, client_secret: Any) -> Application:
    """The app with these credentials; one answer for an unknown app and a wrong secret."""
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        raise MissingToken("client_id and client_secret are required")
    if not client_id or not client_secret:
        raise MissingToken("client_id and client_secret are required")
    app = Application.objects.filter(client_id=client_id).first()
    if app is not None:
        if app.hash_client_secret:
            good = check_password(client_secret, app.client_secret)
        else:
            good = hmac.compare_digest(client_secret.encode(), app.client_secret.encode())
        if good:
            return app
    raise BadCredentials("the client_id or client_secret is incorrect")


def by_client_id(client_id: Any, client_secret: Any = None) -> Application:
    """The app a public read names by its client_id alone, as v1 allowed; when the client
    sends its secret too (some v1 clients always did), the secret must be right."""
    if client_secret not in (None, ""):
        return authenticate(client_id, client_secret)
    known = isinstance(client_id, str) and client_id and "\x00" not in client_id
    app = Application.objects.filter(client_id=client_id).first() if known else None
    if app is None:
        raise UnknownClient("the client_id provided is invalid and does not match an application")
    return app
