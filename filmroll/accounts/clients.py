"""Third-party apps (django-oauth-toolkit's Applications): proving who they are, and what the
OAuth token endpoint lets them do."""

from __future__ import annotations

import contextlib
import hmac
from typing import Any

from django.contrib.auth.hashers import check_password
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import InvalidRequestError, UnauthorizedClientError

from filmroll.accounts import logins
from filmroll.errors import BadCredentials, MissingToken, RateLimited, UnknownClient
from filmroll.netaddr import client_address

# The grants an app may be registered for: the authorization code (with PKCE S256 when sent) and,
# for v1's browser-only clients, the implicit grant. The token endpoint then issues tokens only
# for authorization codes and their refresh tokens.
APP_GRANTS = (Application.GRANT_AUTHORIZATION_CODE, Application.GRANT_IMPLICIT)
TOKEN_GRANTS = ("authorization_code", "refresh_token")


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


class Validator(OAuth2Validator):
    """django-oauth-toolkit's validator, without the resource owner password grant. v1 never
    offered it to apps (filmroll's own apps log in at /api/v1/accounts/login); oauthlib checks
    the password before it asks whether the app may use the grant, so refusing the grant type
    alone (COMPLIANT_BCP_RFC9700_PASSWORD_GRANT) would still answer password guesses."""

    def validate_user(self, username, password, client, request, *args, **kwargs) -> bool:
        # Never read the password; the try counts against the account and the address like a
        # wrong one, so this door adds nothing to a guesser's budget.
        with contextlib.suppress(RateLimited):
            logins.admit(username, client_address(request.headers))
        raise UnauthorizedClientError(
            description="the password grant is not offered: use the authorization code grant",
            request=request,
        )

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:
        # Client credentials (and the device code) would make a token that acts for nobody;
        # refused whatever grant the app was registered for, before any token is made.
        if grant_type not in TOKEN_GRANTS:
            raise UnauthorizedClientError(
                description=f"the {grant_type} grant is not offered: use the authorization code "
                "grant",
                request=request,
            )
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        # RFC 9700: PKCE with S256 only. oauthlib takes a challenge without a method as "plain";
        # refused here, before the consent page, rather than after the user has agreed.
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise InvalidRequestError(
                description='code_challenge_method must be "S256" ("plain" is not accepted)',
                request=request,
            )
        return super().validate_response_type(
            client_id, response_type, client, request, *args, **kwargs
        )


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
