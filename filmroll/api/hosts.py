"""FILMROLL_API_HOST: a host name (api.example.com) that answers the API alone, as v1's API host
did: /v1/ (and /api/v1/), OAuth and oEmbed at the root, the health checks. Every other path
there is the API's 404; every other host serves the whole site, /v1/ included."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.middleware.csrf import CsrfViewMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

from filmroll.api.envelope import is_api

URLCONF = "filmroll.api_host_urls"


class ApiHost:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = settings.FILMROLL.api_host
        if host and split_domain_port(request.get_host())[0] == host:
            request.urlconf = URLCONF
        return self.get_response(request)


def web_only(base: type) -> type:
    """`base`, a middleware, run for every request but the API's (under /api/ and /v1/, on any
    host). The API reads no session, no CSRF cookie (its views are exempt), no request.user
    (a token's user is request.api_user), no messages and no static files, and leaves each of
    them untouched: unread, they add no header and set no cookie. Skipping them saves the
    objects each makes per request. A subclass, so that Django's checks still find them."""

    class WebOnly(base):
        def __call__(self, request: HttpRequest) -> HttpResponse:
            if is_api(request):
                return self.get_response(request)
            return super().__call__(request)

    WebOnly.__name__ = WebOnly.__qualname__ = f"WebOnly{base.__name__}"
    return WebOnly


StaticFiles = web_only(WhiteNoiseMiddleware)
Sessions = web_only(SessionMiddleware)
Csrf = web_only(CsrfViewMiddleware)
Authentication = web_only(AuthenticationMiddleware)
Messages = web_only(MessageMiddleware)
