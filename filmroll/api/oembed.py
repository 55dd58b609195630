"""GET /oembed?url=: v1's oEmbed answer for a public photo's page (type rich: an iframe of its
embed page). Not in the envelope, as v1 answered; JSONP with `callback` like the API.

A photo with a content warning is shown veiled in the embed page, but a consumer may show the
thumbnail and the title bare: it gets no thumbnail (oEmbed's three thumbnail fields are optional,
all or none) and its warning for a title."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.http import HttpRequest, JsonResponse

from filmroll.api import objects
from filmroll.api.envelope import endpoint
from filmroll.errors import Invalid, NotFound
from filmroll.media import photos, shortcodes

PAGE = re.compile(r"^/p/([A-Za-z0-9_-]{1,20})/?")
WIDTHS = (320, 658)  # v1's least and greatest maxwidth; the greatest is the default


def _width(raw: str | None) -> int:
    if raw in (None, ""):
        return WIDTHS[1]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise Invalid("maxwidth must be a whole number of pixels")
    return max(WIDTHS[0], min(int(raw), WIDTHS[1]))


@endpoint("GET", auth=False)
def oembed(request: HttpRequest) -> JsonResponse:
    url = request.GET.get("url") or ""
    found = PAGE.match(urlsplit(url).path) if urlsplit(url).scheme in ("http", "https") else None
    if found is None:
        raise Invalid("url must be a photo's link, https://HOST/p/SHORTCODE/")
    try:
        media, owner = photos.public(None, shortcodes.decode(found[1]))
    except ValueError:
        raise NotFound("no media matches the url") from None
    item = objects.media(media, None, request)
    width = _width(request.GET.get("maxwidth"))
    thumb = item["images"]["standard_resolution"]
    embed = request.build_absolute_uri(f"/p/{item['shortcode']}/embed/")
    height = round(width * thumb["height"] / thumb["width"]) + 110  # the header and caption
    title = (item["caption"] or {}).get("text", "")
    pictured = {
        "thumbnail_url": thumb["url"],
        "thumbnail_width": thumb["width"],
        "thumbnail_height": thumb["height"],
    }
    if item.get("sensitive"):
        title, pictured = item.get("spoiler_text") or "Sensitive content", {}
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "filmroll",
            "provider_url": request.build_absolute_uri("/"),
            "title": title,
            "author_name": owner.username,
            "author_url": request.build_absolute_uri(f"/{owner.username}/"),
            "author_id": str(owner.id),
            "media_id": item["id"],
            "html": (
                f'<iframe src="{embed}" width="{width}" height="{height}" frameborder="0"'
                ' scrolling="no" allowtransparency="true" style="border:0;max-width:100%">'
                "</iframe>"
            ),
            "width": width,
            "height": None,
            **pictured,
        }
    )
