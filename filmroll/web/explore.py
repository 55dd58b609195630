"""Explore: popular photos, tag pages, place pages, photos nearby, people search."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from filmroll.api import objects
from filmroll.discovery import people, popular, search
from filmroll.errors import FilmrollError, NotFound
from filmroll.places import places
from filmroll.web import lists
from filmroll.web.lookups import before, viewer_id

GRID_PAGE = 30  # photos a page of a grid shows (tests shorten it)


def _grid(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return lists.page(request, "web/grid.html", "web/_grid_page.html", context)


def popular_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_id(request)
    shown, following = popular.page_from(viewer, lists.start(request), GRID_PAGE)
    return _grid(
        request,
        {"title": _("Explore"), "items": objects.media_list(shown, viewer, request),
         "more": lists.more_url(request, following, "start"), "suggest": True},
    )  # fmt: skip


def tag_page(request: HttpRequest, name: str) -> HttpResponse:
    viewer = viewer_id(request)
    try:
        found, next_id = search.tag_media(viewer, name, before(request), GRID_PAGE)
        info = search.tag(name)
    except FilmrollError:
        raise Http404("no such tag") from None
    posts = ngettext("%(count)d post", "%(count)d posts", info["media_count"])
    return _grid(
        request,
        {"title": f"#{info['name']}", "subtitle": posts % {"count": info["media_count"]},
         "items": objects.media_list(found, viewer, request),
         "more": lists.more_url(request, next_id)},
    )  # fmt: skip


def place_page(request: HttpRequest, location_id: str) -> HttpResponse:
    viewer = viewer_id(request)
    try:
        place = places.get(location_id)
    except NotFound:
        raise Http404("no such place") from None
    found, next_id = search.location_media(viewer, int(place["id"]), before(request), GRID_PAGE)
    return _grid(
        request,
        {"title": place["name"], "subtitle": f"{place['latitude']:.4f}, {place['longitude']:.4f}",
         "items": objects.media_list(found, viewer, request),
         "more": lists.more_url(request, next_id)},
    )  # fmt: skip


def nearby_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_id(request)
    context: dict[str, Any] = {"values": request.GET, "error": ""}
    if request.GET.get("lat") or request.GET.get("lng"):
        try:
            point, metres = search.point_and_distance(
                request.GET.get("lat"), request.GET.get("lng"), request.GET.get("distance") or None
            )
            found, next_id = search.media_near(
                viewer, point, metres, (None, None), before(request), GRID_PAGE
            )
            context["items"] = objects.media_list(found, viewer, request)
            context["more"] = lists.more_url(request, next_id)
            context["searched"] = True
        except FilmrollError as error:
            context["error"] = error.message
    return lists.page(request, "web/nearby.html", "web/_grid_page.html", context)


def people_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_id(request)
    context: dict[str, Any] = {"q": request.GET.get("q", ""), "people": []}
    if context["q"].strip():
        with contextlib.suppress(FilmrollError):  # nothing searchable in q: nobody found
            found = people.search(viewer, context["q"], 30)
            context["people"] = [objects.user_small(u, request) for u in found]
    return render(request, "web/people.html", context)
