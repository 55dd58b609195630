"""Views for two-factor log-in in the API: the log-in's second step (/accounts/login/two_factor)
and the settings of filmroll's own apps (/users/self/two_factor...); the logic is in
filmroll.accounts.twofactor."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.request import split_domain_port

from filmroll.accounts import securitykeys, totp, twofactor
from filmroll.accounts.models import User
from filmroll.api import scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.api.throttle import client_ip


def site(request: HttpRequest) -> securitykeys.Site:
    """The relying party a security key is asked for: the host the request came to."""
    host = request.get_host()
    return securitykeys.Site(split_domain_port(host)[0], f"{request.scheme}://{host}")


def challenge(request: HttpRequest, user: User) -> dict[str, Any]:
    """The log-in's answer after a right password when the account has a second factor."""
    state = twofactor.status(user)
    options, key_challenge = None, None
    if state.security_keys:
        text, key_challenge = securitykeys.authentication_options(user, site(request))
        options = json.loads(text)
    return {
        "two_factor_required": True,
        "challenge": twofactor.challenge(user, key_challenge),
        "methods": state.methods,
        "expires_in": twofactor.PENDING_SECONDS,
        "security_key_options": options,
    }


def second_step(request: PublicRequest) -> User:
    user, state = twofactor.read_challenge(field(request, "challenge"))
    twofactor.verify(
        user,
        client_ip(request),
        code=field(request, "code"),
        credential=field(request, "credential"),
        key_challenge=twofactor.key_challenge(state),
        site=site(request),
    )
    return user


@endpoint("GET", scope=scopes.FIRST_PARTY)
def status(request: ApiRequest) -> JsonResponse:
    return ok(twofactor.status(request.api_user).as_json())


@endpoint("POST", scope=scopes.FIRST_PARTY)
def totp_begin(request: ApiRequest) -> JsonResponse:
    secret = totp.begin(request.api_user)
    return ok({"secret": secret, "otpauth_uri": totp.uri(request.api_user, secret)})


@endpoint("POST", scope=scopes.FIRST_PARTY)
def totp_confirm(request: ApiRequest) -> JsonResponse:
    codes = totp.confirm(request.api_user, str(field(request, "code") or ""))
    return ok({"recovery_codes": codes, **twofactor.status(request.api_user).as_json()})


@endpoint("POST", scope=scopes.FIRST_PARTY)
def disable(request: ApiRequest) -> JsonResponse:
    twofactor.turn_off(request.api_user, field(request, "password"), client_ip(request))
    return ok(twofactor.status(request.api_user).as_json())


@endpoint("POST", scope=scopes.FIRST_PARTY)
def recovery_codes(request: ApiRequest) -> JsonResponse:
    codes = twofactor.new_recovery_codes(
        request.api_user, field(request, "password"), client_ip(request)
    )
    return ok({"recovery_codes": codes, **twofactor.status(request.api_user).as_json()})
