"""The request as `envelope.endpoint` hands it to a view: a Django request with what the envelope
found out about it. These classes only type it (the object is Django's own request); a view
names the one its endpoint guarantees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from oauth2_provider.models import AccessToken, Application

from filmroll.accounts.models import User
from filmroll.accounts.tokens import Kept
from filmroll.errors import MissingToken


class PublicRequest(HttpRequest):
    """Any request through the envelope, with or without a token (`auth=False`)."""

    token: AccessToken | None
    api_user: User | None
    app: Application | None  # the app reading by its client_id alone, where v1 allowed that
    kept_token: Kept | None  # this process's copy `token` came from, to be confirmed
    counted: tuple[list[str], float]  # the rate limits' keys it was counted against, and when
    data: dict[str, Any]  # the parsed body: form, multipart or JSON
    _api_body: dict[str, Any] | Exception  # the body read once, or why it cannot be read


class ApiRequest(PublicRequest):
    """A request through an endpoint with `auth` (the default): it carries a live token."""

    token: AccessToken
    api_user: User


def signed_in(request: PublicRequest) -> User:
    """The token's user, for what only a user may do (a write) on an endpoint that an app may
    also read by its client_id alone."""
    if request.api_user is None:
        raise MissingToken("this needs an access_token")
    return request.api_user
