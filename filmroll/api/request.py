"""The request as `envelope.endpoint` hands it to a view: a Django request with what the envelope
found out about it. These classes only type it (the object is Django's own request); a view
names the one its endpoint guarantees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from oauth2_provider.models import AccessToken

from filmroll.accounts.models import User


class PublicRequest(HttpRequest):
    """Any request through the envelope, with or without a token (`auth=False`)."""

    token: AccessToken | None
    api_user: User | None
    data: dict[str, Any]  # the parsed body: form, multipart or JSON


class ApiRequest(PublicRequest):
    """A request through an endpoint with `auth` (the default): it carries a live token."""

    token: AccessToken
    api_user: User
