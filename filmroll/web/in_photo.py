"""People in photos on the web: the tagged person's buttons on the photo's page (hide it from
their profile, or take their tag off), the "Photos of you" tab of a profile, and the people
field of the upload and edit pages ("bo(0.3,0.6) carol": a name, and where they stand; the
centre when no place is given). The logic is media/people.py, as the API's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.errors import FilmrollError, NotFound
from filmroll.graph import relationships, visibility
from filmroll.media import people, shortcodes
from filmroll.media.rows import Media
from filmroll.web import lists, lookups
from filmroll.web.lookups import SignedInRequest, before, viewer_id

TAB_PAGE = 30  # photos a page of the tab shows (tests shorten it)
FIELD = "people"  # the form's field


def for_viewer(request: HttpRequest, media: Media) -> dict[str, Any]:
    """What the photo's page offers the signed-in person when they are in the photo."""
    me = viewer_id(request)
    if me is None or all(t[0] != me for t in media.people):
        return {"tagged_me": False, "hidden_me": False}
    return {"tagged_me": True, "hidden_me": people.is_hidden(me, media.id)}


def as_text(item: dict) -> str:
    """A media object's people as the form's field writes them."""
    return " ".join(
        f"{t['user']['username']}({t['position']['x']:g},{t['position']['y']:g})"
        for t in item.get("users_in_photo") or []
    )


def from_form(request: HttpRequest, owner: User) -> list[people.Tag] | None:
    """The people the form names, checked (FilmrollError otherwise); None when it has no field."""
    given = people.parse_text(request.POST.get(FIELD))
    return None if given is None else people.check(owner, given)


@login_required
@require_POST
def photo_people(request: SignedInRequest, code: str) -> HttpResponse:
    """A tagged person's buttons: `hide` or `show` the photo on their tab, `remove` their tag.
    A photo they may not see is a 404, as one that does not exist."""
    action = request.POST.get("action")
    try:
        media_id = shortcodes.decode(code)
        if action == "remove":
            people.untag_self(request.user, media_id)
        elif action in ("hide", "show"):
            people.hide(request.user, media_id, action == "hide")
    except (ValueError, NotFound):
        raise Http404("no such photo") from None
    except FilmrollError:
        pass  # the page shows the photo's people as they stand
    return HttpResponseRedirect(f"/p/{code}/")


def tagged_page(request: HttpRequest, username: str) -> HttpResponse:
    """A profile's "Photos of you" tab: the photos they are tagged in, each only if the viewer
    may see it and they may too (media/people.tab_page)."""
    person, viewer = lookups.person(username), viewer_id(request)
    if not visibility.visible_people(viewer, [person]):
        raise Http404("no such account")
    found, next_id = people.tab_page(viewer, person, before(request), TAB_PAGE)
    items = objects.media_list(found, viewer, request)
    more = lists.more_url(request, next_id)
    if lists.wants_piece(request):
        return render(request, "web/_grid_page.html", {"items": items, "more": more})
    status = relationships.status(request.user, person) if request.user.is_authenticated else None
    return render(
        request,
        "web/profile.html",
        {"person": objects.user(person, request), "items": items, "more": more,
         "hidden": False, "status": status, "is_self": viewer == person.id, "tab": "tagged"},
    )  # fmt: skip
