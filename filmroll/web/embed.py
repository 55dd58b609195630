"""What other sites show of a public photo: the embed page (the one page that may be framed,
for oEmbed's iframe) and the image link `/p/{shortcode}/media/?size=t|m|l`. Private photos,
and photos of anyone blocking the signed-in viewer or blocked by them, answer 404 as missing
ones do."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from filmroll.api import objects
from filmroll.errors import NotFound
from filmroll.media import photos, shortcodes
from filmroll.media.rows import Media
from filmroll.web.lookups import viewer_id

SIZES = {"t": "thumbnail", "m": "low_resolution", "l": "standard_resolution"}
# Framed by any site; nothing else on the page is loaded from elsewhere.
POLICY = (
    "default-src 'none'; img-src 'self' data: {media}; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


def _public(request: HttpRequest, code: str) -> Media:
    try:
        return photos.public(viewer_id(request), shortcodes.decode(code))[0]
    except (ValueError, NotFound):
        raise Http404("no such photo") from None


@require_GET
@xframe_options_exempt
def embed(request: HttpRequest, code: str) -> HttpResponse:
    media = _public(request, code)
    item = objects.media(media, None, request)  # as anyone sees it: no "you liked this"
    profile = request.build_absolute_uri(f"/{item['user']['username']}/")
    response = render(request, "web/embed.html", {"item": item, "profile": profile})
    origin = item["images"]["standard_resolution"]["url"].split("/", 3)[:3]
    response["Content-Security-Policy"] = POLICY.format(media="/".join(origin))
    return response


@require_GET
def image(request: HttpRequest, code: str) -> HttpResponse:
    size = SIZES.get(request.GET.get("size") or "m")
    if size is None:
        return HttpResponse("size must be t, m or l", status=400, content_type="text/plain")
    item = objects.media(_public(request, code), None, request)
    response = HttpResponseRedirect(item["images"][size]["url"])
    response["Cache-Control"] = "public, max-age=300"
    return response
