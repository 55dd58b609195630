"""A Content-Security-Policy on every page: scripts, styles and frames only from this site
(inline styles allowed: the pages carry a little CSS of their own), images also from where
photos are stored (a CDN or an S3 endpoint), and on the Photo Map's page from its tile server.
Forms post to this site only, except the OAuth consent page's, which also goes on to the app's
registered redirect URI (`consent.py`)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from filmroll.files import storage


def source(url: str) -> str:
    """A URL's CSP source expression: its origin, or its scheme alone for an app's own scheme
    (`com.example.app:/done`); empty for what cannot be one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or any(c in url for c in " ;,'\"\n\r"):
        return ""
    if scheme in ("http", "https"):
        return f"{scheme}://{parts.netloc}" if parts.netloc else ""
    return f"{scheme}:"


def policy(form_action: str = "", images: str = "") -> str:
    """The page's policy; `form_action`, a source the page's forms may also lead to; `images`,
    one more source of images (the Photo Map's tile server, `photomap.py`)."""
    img_src = " ".join(filter(None, ["'self'", "data:", source(storage.base_url(None)), images]))
    return (
        f"default-src 'self'; img-src {img_src}"
        + "; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
        f"base-uri 'self'; form-action 'self' {form_action}".rstrip()
        + "; frame-ancestors 'none'"
    )


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", policy())
        return response
