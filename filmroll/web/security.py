"""A Content-Security-Policy on every page: scripts, styles and frames only from this site
(inline styles allowed: the pages carry a little CSS of their own), images also from where
photos are stored (a CDN or an S3 endpoint)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from filmroll.files import storage


def _policy() -> str:
    photos = storage.base_url(None)
    parts = urlsplit(photos)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
    return (
        f"default-src 'self'; img-src 'self' data: {origin}".rstrip()
        + "; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", _policy())
        return response
