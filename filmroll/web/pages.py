"""The web app's pages: home feed, upload, photo, profile, activity. Thin: the logic is the
same code the API runs; pages are server-rendered and work without JavaScript."""

from __future__ import annotations

import base64
import contextlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from filmroll import objcache
from filmroll.api import objects
from filmroll.errors import FilmrollError, NotFound, StorageUnavailable
from filmroll.feeds import activity, home
from filmroll.graph import relationships, visibility
from filmroll.media import comments, filters, likes, photos, pipeline, shortcodes
from filmroll.moderation import actions
from filmroll.places import places
from filmroll.web import lookups
from filmroll.web.lookups import SignedInRequest, before, viewer_id


def feed(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    with objcache.remembering():  # what the page reads, in two multi-gets, as the API's feed
        page, next_id = home.read(request.user.id, 12, before(request))
        items = objects.media_list(page, request.user.id, request)
    context = {"items": items, "next_id": next_id}
    return render(request, "web/_feed_page.html" if _fetch(request) else "web/feed.html", context)


def _fetch(request: HttpRequest) -> bool:
    """A request from app.js, which wants the changed piece of the page, not all of it."""
    return request.headers.get("X-Requested-With") == "fetch"


def _media(request: HttpRequest, code: str):
    try:
        media_id = shortcodes.decode(code)
        media, owner = photos.visible(
            request.user.id if request.user.is_authenticated else None, media_id
        )
    except (ValueError, NotFound):
        raise Http404("no such photo") from None
    return media, owner


def photo(request: HttpRequest, code: str) -> HttpResponse:
    media, owner = _media(request, code)
    viewer = request.user if request.user.is_authenticated else None
    found = comments.page(viewer, media.id, None, 50) if viewer else []
    return render(
        request,
        "web/photo.html",
        {
            "item": objects.media(media, viewer_id(request), request),
            "comments": objects.comments(list(reversed(found)), request),
            "error": request.GET.get("error", ""),
            "reported": request.GET.get("reported") == "1",
        },
    )


@login_required
@require_POST
def like(request: SignedInRequest, code: str) -> HttpResponse:
    media, _ = _media(request, code)
    if request.POST.get("action") == "unlike":
        likes.unlike(request.user, media.id)
    else:
        likes.like(request.user, media.id)
    if _fetch(request):
        media, _ = _media(request, code)
        return render(
            request, "web/_photo.html", {"item": objects.media(media, request.user.id, request)}
        )
    return HttpResponseRedirect(_back(request, f"/p/{code}/"))


@login_required
@require_POST
def comment(request: SignedInRequest, code: str) -> HttpResponse:
    media, _ = _media(request, code)
    try:
        made = comments.add(request.user, media.id, request.POST.get("text"))
    except FilmrollError as error:
        if _fetch(request):
            return HttpResponse(error.message, status=error.status)
        return HttpResponseRedirect(f"/p/{code}/?{urlencode({'error': error.message})}")
    if _fetch(request):
        return render(request, "web/_comment.html", {"c": objects.comments([made], request)[0]})
    return HttpResponseRedirect(_back(request, f"/p/{code}/"))


@login_required
@require_POST
def report(request: SignedInRequest, code: str) -> HttpResponse:
    media, _ = _media(request, code)
    try:
        actions.report(request.user, media.id, request.POST.get("reason"))
    except FilmrollError as error:
        return HttpResponseRedirect(f"/p/{code}/?{urlencode({'error': error.message})}")
    return HttpResponseRedirect(f"/p/{code}/?reported=1")


def _back(request: HttpRequest, default: str) -> str:
    """Back to the page the form was on (this site's own paths only)."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@login_required
def upload(request: SignedInRequest) -> HttpResponse:
    context = {"filters": filters.FILTERS, "error": "", "values": request.POST}
    if request.method == "POST":
        try:
            place_id: str | int | None = request.POST.get("location_id") or None
            if not place_id and request.POST.get("place_name"):
                place = places.check(request.POST.get("place_name"), request.POST.get("lat"),
                                     request.POST.get("lng"))  # fmt: skip
                place_id = places.create(request.user.id, place)
            image = request.FILES.get("image")
            if image is None:
                raise NotFound("choose a photo to post")
            media_id = photos.post(
                request.user,
                image.read(),
                caption=request.POST.get("caption", ""),
                filter_name=request.POST.get("filter") or "normal",
                location_id=place_id,
            )
        except StorageUnavailable as error:  # the page again, saying to try in a minute
            context["error"] = error.message
            page = render(request, "web/upload.html", context, status=error.status)
            page["Retry-After"] = str(error.retry_after)
            return page
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "web/upload.html", context, status=400)
        return HttpResponseRedirect(f"/p/{shortcodes.encode(media_id)}/")
    return render(request, "web/upload.html", context)


@login_required
@require_POST
def upload_previews(request: SignedInRequest) -> JsonResponse:
    """The chosen photo under every filter, for the upload page's live previews (app.js)."""
    image = request.FILES.get("image")
    if image is None:
        return JsonResponse({"error": "choose a photo"}, status=400)
    try:
        made = pipeline.previews(image.read())
    except FilmrollError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse(
        {
            name: "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
            for name, jpeg in made.items()
        }
    )


def profile(request: HttpRequest, username: str) -> HttpResponse:
    person, viewer = lookups.person(username), viewer_id(request)
    hidden = not visibility.can_see(viewer, person)
    recent = [] if hidden else photos.visible_many(viewer, home.recent([person.id], None, 30))
    status = relationships.status(request.user, person) if request.user.is_authenticated else None
    return render(
        request,
        "web/profile.html",
        {"person": objects.user(person, request),
         "items": objects.media_list(recent, viewer, request),
         "hidden": hidden, "status": status, "is_self": viewer == person.id},
    )  # fmt: skip


@login_required
@require_POST
def relate(request: SignedInRequest, username: str) -> HttpResponse:
    person = lookups.person(username)
    with contextlib.suppress(FilmrollError):  # the page shows the relationship as it stands
        relationships.act(request.user, person, request.POST.get("action"))
    return HttpResponseRedirect(f"/{person.username}/")


@login_required
def activity_page(request: SignedInRequest) -> HttpResponse:
    items, _ = activity.assemble(request.user.id, None, 50)
    activity.mark_seen(request.user.id, items)
    return render(request, "web/activity.html", {"items": items})
