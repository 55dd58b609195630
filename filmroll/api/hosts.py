"""FILMROLL_API_HOST: a host name (api.example.com) that answers the API alone, as v1's API host
did: /v1/ (and /api/v1/), OAuth and oEmbed at the root, the health checks. Every other path
there is the API's 404; every other host serves the whole site, /v1/ included."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port

URLCONF = "filmroll.api_host_urls"


class ApiHost:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = settings.FILMROLL.api_host
        if host and split_domain_port(request.get_host())[0] == host:
            request.urlconf = URLCONF
        return self.get_response(request)
