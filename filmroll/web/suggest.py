"""Suggestions while posting: #tags and @people as the caption is typed, and places near the
point or by name, as JSON for app.js; and dismissing someone suggested to follow (the
suggestions themselves are discovery/suggestions.py's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from filmroll.discovery import people, search, suggestions
from filmroll.errors import FilmrollError
from filmroll.web import lookups
from filmroll.web.lookups import SignedInRequest
from filmroll.web.pages import signed_in_post


@login_required
def words(request: SignedInRequest) -> JsonResponse:
    """`q` is the word being typed: #ta gives tags, @an gives people."""
    q = request.GET.get("q", "")
    found: list[str] = []
    try:
        if q.startswith("#") and len(q) > 1:
            found = [f"#{t['name']}" for t in search.search_tags(q[1:], 8)]
        elif q.startswith("@") and len(q) > 1:
            found = [f"@{u.username}" for u in people.search(request.user.id, q[1:], 8)]
    except FilmrollError:
        found = []
    return JsonResponse({"suggestions": found})


@login_required
def places_nearby(request: SignedInRequest) -> JsonResponse:
    """Places near `lat`, `lng` (within 1 km), or named like `q`."""
    try:
        if request.GET.get("q"):
            found = search.places_named(request.GET["q"], 10)
        else:
            point, metres = search.point_and_distance(
                request.GET.get("lat"), request.GET.get("lng"), None
            )
            found = search.places_near(point, metres, 10)
    except FilmrollError as error:
        return JsonResponse({"places": [], "error": error.message}, status=400)
    return JsonResponse({"places": [{"id": p["id"], "name": p["name"]} for p in found]})


@signed_in_post
def dismiss(request: SignedInRequest, username: str) -> HttpResponseRedirect:
    """The dismiss button beside a suggestion: never suggest this person again, then back to
    the page it was on."""
    person = lookups.person(username)
    suggestions.dismiss(request.user.id, person.id)
    back = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, None) or not back.startswith("/"):
        back = "/"
    return HttpResponseRedirect(back)
