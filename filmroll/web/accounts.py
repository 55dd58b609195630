"""Web log-in and log-out (sessions), as the OAuth consent page and app settings need them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from filmroll.accounts import twofactor, users
from filmroll.api.throttle import client_ip
from filmroll.errors import FilmrollError
from filmroll.web import twofactor as second_step


def _next(request: HttpRequest, raw: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return "/"


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _next(request, request.POST.get("next") or request.GET.get("next"))
    context = {"next": next_url, "username": "", "error": ""}
    if request.GET.get("expired") == "1":
        context["error"] = _("The log-in took too long; log in again.")
    if request.method == "POST":
        context["username"] = request.POST.get("username", "")
        try:
            user = users.log_in(
                request.POST.get("username"), request.POST.get("password"), client_ip(request)
            )
            if twofactor.enabled(user):  # not logged in (nor restored) yet: the second page
                return second_step.begin(request, user, next_url)
            users.finish_log_in(user)
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "registration/login.html", context, status=error.status)
        auth.login(request, user)  # a new session key: no session fixation
        return HttpResponseRedirect(next_url)
    return render(request, "registration/login.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return HttpResponseRedirect(settings.LOGIN_URL)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    context = {"values": request.POST, "error": ""}
    if request.method == "POST":
        try:
            user = users.sign_up(
                request.POST.get("username"),
                request.POST.get("password"),
                request.POST.get("email"),
                request.POST.get("full_name") or "",
                client_ip(request),
            )
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "registration/signup.html", context, status=error.status)
        auth.login(request, user)  # the one backend (accounts.backends.Throttled)
        return HttpResponseRedirect("/")
    return render(request, "registration/signup.html", context)
