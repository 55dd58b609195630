"""The bookmark on a photo's card and the "Saved" tab of one's own profile: the private list of
saved photos (media/saved.py), which only its owner can open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from filmroll.api import objects
from filmroll.media import saved
from filmroll.web import lists
from filmroll.web.lookups import SignedInRequest, before
from filmroll.web.pages import PROFILE_PAGE, signed_in_post, toggle


@signed_in_post
def save(request: SignedInRequest, code: str) -> HttpResponse:
    return toggle(request, code, "unsave", saved.save, saved.unsave)


@login_required
def saved_page(request: SignedInRequest, username: str) -> HttpResponse:
    """The Saved tab: the signed-in person's own list; anyone else's answers as missing."""
    if username.lower() != request.user.username:
        raise Http404("no such page")
    found, next_id = saved.page(request.user, before(request), PROFILE_PAGE)
    items = objects.media_list(found, request.user.id, request)
    more = lists.more_url(request, next_id)
    if lists.wants_piece(request):
        return render(request, "web/_grid_page.html", {"items": items, "more": more})
    context = {"person": objects.user(request.user, request), "items": items, "more": more,
               "hidden": False, "status": None, "is_self": True, "tab": "saved"}  # fmt: skip
    return render(request, "web/profile.html", context)
