"""HTTPS as the client saw it. A request is secure when it came over TLS to this server, or when
a trusted proxy (FILMROLL_TRUSTED_PROXIES) says so in X-Forwarded-Proto; the header from anyone
else is dropped before Django reads it. Answers to secure requests set only Secure cookies (and
Django's SecurityMiddleware adds HSTS to them, FILMROLL_HSTS_SECONDS)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from filmroll.netaddr import within

PROTO = "HTTP_X_FORWARDED_PROTO"  # settings.SECURE_PROXY_SSL_HEADER's


class Transport:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if PROTO in request.META and not within(
            request.META.get("REMOTE_ADDR", ""), settings.FILMROLL.trusted_proxies
        ):
            del request.META[PROTO]
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response
