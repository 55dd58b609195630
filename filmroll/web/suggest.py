"""Suggestions while posting: #tags and @people as the caption is typed, and places near the
point or by name, as JSON for app.js; and people to follow, for a new account's empty feed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from filmroll.accounts.models import User
from filmroll.discovery import people, popular, search
from filmroll.errors import FilmrollError
from filmroll.graph import edges
from filmroll.web.lookups import SignedInRequest


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


def people_to_follow(viewer_id: int, count: int) -> list[User]:
    """Who posted the popular photos, then the newest accounts: never the viewer, nobody they
    follow already, nobody on either side of a block."""
    ranked = [m.user_id for m in popular.page(viewer_id, 60)]
    newest = User.objects.filter(is_active=True).order_by("-date_joined")
    candidates = list(dict.fromkeys([*ranked, *newest.values_list("id", flat=True)[:50]]))
    candidates = [c for c in candidates if c != viewer_id]
    unwanted = edges.followed_among(viewer_id, candidates) | edges.blocked_between(
        viewer_id, candidates
    )
    wanted = [c for c in candidates if c not in unwanted][:count]
    found = {u.id: u for u in User.objects.filter(id__in=wanted, is_active=True)}
    return [found[c] for c in wanted if c in found]
