"""Two-factor log-in on the web: the log-in's second page, and its settings page.

After a right password (web/accounts.py) the session holds only the half-done log-in
(PENDING: whose password, when, where to go next), good for a few minutes; the user is logged
in (auth.login), and an account waiting for deletion restored (accounts/users.finish_log_in),
only once the second page is passed. Security keys talk to the browser through
securitykeys.js (navigator.credentials): the JSON endpoints here hand it the options, keep their
challenge in the session, and check its answer."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from filmroll.accounts import securitykeys, totp, twofactor, users
from filmroll.accounts.models import User
from filmroll.api.throttle import client_ip
from filmroll.api.twofactor import site
from filmroll.errors import FilmrollError, Invalid
from filmroll.web.lookups import SignedInRequest

PENDING = "two_factor_pending"
REGISTERING = "two_factor_registering"  # a security key's registration challenge
SHOW_CODES = "two_factor_codes"  # new recovery codes, shown once on the next page


def begin(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the account has a second factor: on to the second page."""
    if request.user.is_authenticated:
        auth.logout(request)  # whoever was logged in here is not any more
    request.session.cycle_key()  # a new key: no session fixation across the two steps
    request.session[PENDING] = {**twofactor.pending_state(user), "next": next_url}
    return HttpResponseRedirect("/accounts/login/two-factor/")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]]:
    state: dict[str, Any] = request.session.get(PENDING) or {}
    try:
        return twofactor.pending_user(state), state
    except twofactor.Expired:
        request.session.pop(PENDING, None)
        raise


def _finish(request: HttpRequest, user: User, state: dict[str, Any]) -> str:
    """The second page passed: the log-in is whole (an account waiting for deletion comes back
    now, not at the password); twofactor.Expired when it may no longer come back."""
    request.session.pop(PENDING, None)
    users.finish_log_in(user)
    auth.login(request, user, backend="filmroll.accounts.backends.Throttled")
    return str(state.get("next") or "/")


@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    try:
        user, state = _pending(request)
    except twofactor.Expired:
        return HttpResponseRedirect("/accounts/login/?expired=1")
    status = twofactor.status(user)
    context = {"status": status, "error": ""}
    if request.method == "POST":
        try:
            twofactor.verify(user, client_ip(request), code=request.POST.get("code") or "")
            next_url = _finish(request, user, state)
        except twofactor.Expired:
            return HttpResponseRedirect("/accounts/login/?expired=1")
        except FilmrollError as error:
            context["error"] = _("The code is incorrect.") if error.status == 400 else error.message
            return render(request, "registration/two_factor.html", context, status=error.status)
        return HttpResponseRedirect(next_url)
    return render(request, "registration/two_factor.html", context)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise Invalid("the body must be JSON") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body


def _failed(error: FilmrollError) -> JsonResponse:
    return JsonResponse({"error": error.message}, status=error.status)


@require_http_methods(["GET", "POST"])
def second_step_key(request: HttpRequest) -> HttpResponse:
    """GET: the options for navigator.credentials.get(); POST: its answer, checked."""
    try:
        user, state = _pending(request)
    except twofactor.Expired as error:
        return _failed(error)
    if request.method == "GET":
        options, challenge = securitykeys.authentication_options(user, site(request))
        request.session[PENDING] = {**twofactor.pending_state(user, challenge), **_kept(state)}
        return HttpResponse(options, content_type="application/json")
    try:
        twofactor.verify(
            user,
            client_ip(request),
            credential=_json_body(request).get("credential"),
            key_challenge=twofactor.key_challenge(state),
            site=site(request),
        )
        next_url = _finish(request, user, state)
    except FilmrollError as error:
        return _failed(error)
    return JsonResponse({"next": next_url})


def _kept(state: dict[str, Any]) -> dict[str, Any]:
    """What a fresh pending state keeps of the old one: where to go, and when it began."""
    return {"next": state.get("next", "/"), "t": state["t"]}


# --- settings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: SignedInRequest) -> HttpResponse:
    user = User.objects.get(id=request.user.id)
    context: dict[str, Any] = {"error": "", "codes": request.session.pop(SHOW_CODES, None)}
    status = 200
    if request.method == "POST":
        action, ip = request.POST.get("action"), client_ip(request)
        try:
            if action == "totp-begin":
                secret = totp.begin(user)
                context["setup"] = {"secret": secret, "qr": totp.qr_svg(totp.uri(user, secret))}
            elif action == "totp-confirm":
                return _show(request, totp.confirm(user, request.POST.get("code") or ""))
            elif action == "disable":
                twofactor.turn_off(user, request.POST.get("password"), ip)
                return HttpResponseRedirect("/settings/two-factor/?saved=1")
            elif action == "codes":
                return _show(
                    request, twofactor.new_recovery_codes(user, request.POST.get("password"), ip)
                )
            elif action == "remove-key":
                twofactor.remove_key(
                    user, request.POST.get("key"), request.POST.get("password"), ip
                )
                return HttpResponseRedirect("/settings/two-factor/?saved=1")
            else:
                raise Invalid(_("Unknown action."))
        except FilmrollError as error:
            context["error"], status = error.message, error.status
            if action == "totp-confirm" and (waiting := totp.pending(user)):
                context["setup"] = {"secret": waiting, "qr": totp.qr_svg(totp.uri(user, waiting))}
    context.update(
        status=twofactor.status(user),
        keys=securitykeys.listed(user),
        saved=request.GET.get("saved") == "1",
    )
    return render(request, "web/two_factor.html", context, status=status)


def _show(request: HttpRequest, codes: list[str]) -> HttpResponse:
    if codes:
        request.session[SHOW_CODES] = codes
    return HttpResponseRedirect("/settings/two-factor/?saved=1")


@login_required
@require_http_methods(["GET", "POST"])
def settings_key(request: SignedInRequest) -> HttpResponse:
    """GET: the options for navigator.credentials.create(); POST: the new key, kept."""
    user = User.objects.get(id=request.user.id)
    if request.method == "GET":
        options, challenge = securitykeys.registration_options(user, site(request))
        request.session[REGISTERING] = challenge.hex()
        return HttpResponse(options, content_type="application/json")
    challenge = request.session.pop(REGISTERING, None)
    try:
        if not isinstance(challenge, str):
            raise Invalid(_("Start again: the registration has expired."))
        body = _json_body(request)
        codes = securitykeys.register(
            user, body.get("credential"), bytes.fromhex(challenge), site(request),
            body.get("name") or "",
        )[1]  # fmt: skip
    except FilmrollError as error:
        return _failed(error)
    _show(request, codes)
    return JsonResponse({"next": "/settings/two-factor/?saved=1"})
