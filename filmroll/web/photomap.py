"""The Photo Map (/USERNAME/map/): a person's geotagged photos on a Leaflet map, clustered by
zoom on the server (media/photomap.py, as the API's users/{id}/media/map), with a cluster's
photos as a grid. The map draws on tiles from FILMROLL_MAP_TILE_URL over a plain graticule
(static/filmroll/photomap.js), so it still shows where the photos are when the tiles are off or
cannot be reached; without JavaScript the page lists the clusters as links to their grids."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.errors import FilmrollError
from filmroll.graph import visibility
from filmroll.media import photomap, photos
from filmroll.places import grid
from filmroll.web import lists, lookups, security
from filmroll.web.lookups import before, viewer_id

PHOTOS_PAGE = 30  # photos a cluster's grid shows at once
LISTED_ZOOM = 3  # the zoom of the clusters listed for browsers without JavaScript


def tile_source(url: str) -> str:
    """The CSP source of the tile URL (`{s}.host` as `*.host`); empty without tiles."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def box_param(box: grid.Box) -> str:
    """A box as a `bbox` parameter: six decimals (a tenth of a metre), rounded outwards so it
    still holds every point it held."""
    west, south = (math.floor(v * 1e6) / 1e6 for v in (box.west, box.south))
    east, north = (math.ceil(v * 1e6) / 1e6 for v in (box.east, box.north))
    return ",".join(f"{v:.6f}" for v in (west, south, east, north))


def _seen(request: HttpRequest, username: str) -> tuple[User, int | None]:
    """The person and the viewer, when the viewer may see the person's photos; 404 otherwise."""
    person, viewer = lookups.person(username), viewer_id(request)
    if not visibility.can_see(viewer, person):
        raise Http404("no such account")
    return person, viewer


def _clusters(request: HttpRequest, person: User, viewer: int | None, box: grid.Box,
              zoom: int) -> list[dict[str, Any]]:  # fmt: skip
    """The clusters as the API has them, with what the page shows: a label and the address of
    the cluster's grid."""
    found = photomap.clusters(viewer, person.id, box, zoom)
    shown = []
    for c in found:
        item = objects.map_cluster(c, request)
        item["label"] = ngettext("%(count)s photo", "%(count)s photos", c.cluster.count) % {
            "count": c.cluster.count
        }
        query = urlencode({"bbox": box_param(c.cluster.box)})
        item["photos_url"] = f"/{person.username}/map/photos/?{query}"
        shown.append(item)
    return shown


def map_page(request: HttpRequest, username: str) -> HttpResponse:
    person, viewer = lookups.person(username), viewer_id(request)
    hidden = not visibility.can_see(viewer, person)
    # is_self: the profile's tabs as on one's own profile (Photos of you, Saved)
    context: dict[str, Any] = {
        "person": objects.user_small(person, request), "hidden": hidden,
        "is_self": viewer == person.id,
    }  # fmt: skip
    if not hidden:
        points = photomap.points(person.id, grid.WORLD)
        context["clusters"] = _clusters(request, person, viewer, grid.WORLD, LISTED_ZOOM)
        if points:
            lats, lngs = [p.lat for p in points], [p.lng for p in points]
            context["bounds"] = f"{min(lats)},{min(lngs)},{max(lats)},{max(lngs)}"
    tiles = settings.FILMROLL.map_tile_url
    context.update(tiles=tiles, attribution=settings.FILMROLL.map_tile_attribution)
    response = render(request, "web/map.html", context)
    # the tile server is the one source of images beside this site's and the photos' own
    response["Content-Security-Policy"] = security.policy(images=tile_source(tiles))
    return response


def map_clusters(request: HttpRequest, username: str) -> JsonResponse:
    """The clusters of the map's view, for photomap.js."""
    person, viewer = _seen(request, username)
    try:
        box = grid.parse_box(request.GET.get("bbox"))
        zoom = grid.parse_zoom(request.GET.get("zoom"))
    except FilmrollError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"clusters": _clusters(request, person, viewer, box, zoom)})


def map_photos(request: HttpRequest, username: str) -> HttpResponse:
    """A cluster's photos (those in its box), newest first: the whole page, or for photomap.js
    the panel beside the map (asked for as X-Requested-With: map-panel), or for app.js a
    next page's items."""
    person, viewer = _seen(request, username)
    try:
        box = grid.parse_box(request.GET.get("bbox"))
    except FilmrollError as error:
        raise Http404(error.message) from None
    shown, next_id = photos.visible_page(
        viewer,
        lambda below, want: photomap.newest_in_box(person.id, box, below, want),
        before(request),
        PHOTOS_PAGE,
    )
    context = {
        "person": objects.user_small(person, request),
        "items": objects.media_list(shown, viewer, request),
        "more": lists.more_url(request, next_id),
    }
    if request.headers.get("X-Requested-With") == "map-panel":
        return render(request, "web/_map_panel.html", context)
    return lists.page(request, "web/map_photos.html", "web/_grid_page.html", context)
