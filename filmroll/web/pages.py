"""The web app's pages: home feed, upload, photo, profile, activity. Thin: the logic is the
same code the API runs; pages are server-rendered and work without JavaScript."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from filmroll import objcache
from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.errors import FilmrollError, Invalid, NotFound, StorageUnavailable
from filmroll.feeds import activity, home
from filmroll.graph import relationships, visibility
from filmroll.media import albums, comments, edits, filters, likes, people, photos, shortcodes
from filmroll.moderation import actions
from filmroll.places import places
from filmroll.web import in_photo, lists, lookups, unfurl
from filmroll.web.lists import wants_piece as _fetch
from filmroll.web.lookups import SignedInRequest, before, viewer_id

# How many items a page of each list shows (tests shorten them).
FEED_PAGE, PROFILE_PAGE, ACTIVITY_PAGE = 12, 30, 30
COMMENTS_PAGE = 50  # a photo page's comments, newest; a link opens the older ones


def feed(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    # what the page reads, in two multi-gets as the API's feed; the header's unread count in
    # the first of them (it is drawn inside the block)
    header = () if lists.wants_piece(request) else (activity.marks_of(request.user.id),)
    with objcache.remembering(*header):
        page, next_id = home.read(request.user.id, FEED_PAGE, before(request))
        items = objects.media_list(page, request.user.id, request)
        context = {"items": items, "more": lists.more_url(request, next_id)}
        return lists.page(request, "web/feed.html", "web/_feed_page.html", context)


def signed_in_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form's POST that needs a signed-in person. Anyone else goes to log in and comes back
    to the page the form was on (never to this POST-only address); app.js, told 401, sends
    the whole page there instead of swapping in the log-in page."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        page = _back(request, request.path.rsplit("/", 1)[0] + "/").split("#")[0]
        log_in = f"/accounts/login/?{urlencode({'next': page})}"
        if _fetch(request):
            return HttpResponse(status=401, headers={"X-Log-In": log_in})
        return HttpResponseRedirect(log_in)

    return checked


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
    # everyone who may see the photo sees its comments (less those of people in a block)
    shown, older = _comments_of(request, viewer, media.id, code, before(request))
    item = objects.media(media, viewer_id(request), request)
    return render(
        request,
        "web/photo.html",
        {
            "item": item,
            "unfurl": unfurl.photo(item, owner, request),
            "comments": shown,
            "older_comments": older,
            "error": " ".join(str(m) for m in messages.get_messages(request)),
            "reported": request.GET.get("reported") == "1",
            "is_owner": viewer is not None and viewer.id == owner.id,
            **in_photo.for_viewer(request, media),
        },
    )


@signed_in_post
def like(request: SignedInRequest, code: str) -> HttpResponse:
    return toggle(request, code, "unlike", likes.like, likes.unlike)


def toggle(
    request: SignedInRequest,
    code: str,
    undo: str,
    do_it: Callable[[User, int], object],
    undo_it: Callable[[User, int], object],
) -> HttpResponse:
    """A card's two-way button (like, save): `action=undo` undoes, anything else does; app.js
    gets the card back, a browser without it goes back where it was."""
    media, _ = _media(request, code)
    (undo_it if request.POST.get("action") == undo else do_it)(request.user, media.id)
    back = _back(request, f"/p/{code}/")
    if _fetch(request):
        return _card(request, code, back)
    return HttpResponseRedirect(back)


def _comments_of(
    request: HttpRequest, viewer: User | None, media_id: int, code: str, max_id: int | None
) -> tuple[list[dict], str]:
    """A page of a photo's comments, oldest first as they are read, and the address of the
    page of those before them (empty when there are none)."""
    found = comments.page(viewer, media_id, max_id, COMMENTS_PAGE)
    older = f"/p/{code}/?max_id={found.older}" if found.older else ""
    return objects.comments(found.comments[::-1], request), older


def _card(request: SignedInRequest, code: str, back: str) -> HttpResponse:
    """The photo's card as it now stands, for app.js to put in place of the old one: with all
    its comments on the photo's own page, the latest few elsewhere."""
    media, _ = _media(request, code)
    context = {"item": objects.media(media, request.user.id, request), "back": back}
    if back.split("#")[0] == f"/p/{code}/":
        shown, older = _comments_of(request, request.user, media.id, code, None)
        context.update(comments=shown, older_comments=older)
    return render(request, "web/_photo.html", context)


@signed_in_post
def comment(request: SignedInRequest, code: str) -> HttpResponse:
    media, _ = _media(request, code)
    try:
        comments.add(request.user, media.id, request.POST.get("text"))
    except FilmrollError as error:
        if _fetch(request):
            return HttpResponse(error.message, status=error.status)
        return _failed(request, code, error)
    if _fetch(request):  # the card with the comment in it, and its count
        return _card(request, code, _back(request, f"/p/{code}/"))
    return HttpResponseRedirect(_back(request, f"/p/{code}/"))


def _own_media(request: SignedInRequest, code: str):
    """The signed-in person's own photo: 404 for one they cannot see, 403 for another's."""
    media, owner = _media(request, code)
    if owner.id != request.user.id:
        raise PermissionDenied("only the owner may change a photo")
    return media


def _place_fields(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """The place a form names: one picked from nearby, a new one by name, or none."""
    picked = request.POST.get("location_id") or None
    if not picked and request.POST.get("place_name"):
        place = places.check(request.POST.get("place_name"), request.POST.get("lat"),
                             request.POST.get("lng"))  # fmt: skip
        picked = str(places.create(user_id, place))
    return {"location_id": picked} if picked else {}


@login_required
def edit(request: SignedInRequest, code: str) -> HttpResponse:
    media = _own_media(request, code)
    item = objects.media(media, request.user.id, request)
    context: dict[str, Any] = {"item": item, "error": "", "values": request.POST,
                               "max_spoiler": photos.MAX_SPOILER_TEXT,
                               "people": in_photo.as_text(item)}  # fmt: skip
    if request.method == "POST":
        try:
            fields: dict[str, Any] = {"caption": request.POST.get("caption", ""),
                                      "alt_text": request.POST.get("alt_text", ""),
                                      # an unticked box sends nothing: no warning
                                      "sensitive": request.POST.get("sensitive", ""),
                                      "spoiler_text": request.POST.get("spoiler_text", "")}  # fmt: skip
            tagged = in_photo.from_form(request, request.user)
            if request.POST.get("remove_place"):
                fields["location"] = "none"
            else:
                fields.update(_place_fields(request, request.user.id))
            photos.edit(request.user, media.id, fields)
            if tagged is not None:
                people.tag(request.user, media.id, tagged)
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "web/edit.html", context, status=400)
        return HttpResponseRedirect(f"/p/{code}/")
    return render(request, "web/edit.html", context)


@signed_in_post
def delete(request: SignedInRequest, code: str) -> HttpResponse:
    media = _own_media(request, code)
    photos.delete(request.user, media.id)
    return HttpResponseRedirect(f"/{request.user.username}/?deleted=1")


@login_required
@require_POST
def report(request: SignedInRequest, code: str) -> HttpResponse:
    media, _ = _media(request, code)
    try:
        actions.report(request.user, media.id, request.POST.get("reason"))
    except FilmrollError as error:
        return _failed(request, code, error)
    return HttpResponseRedirect(f"/p/{code}/?reported=1")


def _failed(request: HttpRequest, code: str, error: FilmrollError) -> HttpResponse:
    """Back to the photo, which shows why. The reason goes in a signed message, never in the
    address: a link anyone can make must not put words of theirs on filmroll's page."""
    messages.error(request, error.message)
    return HttpResponseRedirect(f"/p/{code}/")


def _back(request: HttpRequest, default: str) -> str:
    """Back to the page the form was on (this site's own paths only)."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _tools(request: HttpRequest) -> dict[str, Any]:
    """The editing tools from the upload form: the API's fields, but tilt-shift's focus as
    separate inputs (tilt_shift is the mode; tilt_x, tilt_y, tilt_size, tilt_angle the rest)."""
    tools: dict[str, Any] = {name: request.POST.get(name) for name in edits.FIELDS}
    mode = request.POST.get("tilt_shift", "")
    if mode in ("radial", "linear"):
        tools["tilt_shift"] = {"mode": mode} | {
            key: request.POST[f"tilt_{key}"]
            for key in ("x", "y", "size", "angle")
            if request.POST.get(f"tilt_{key}", "") != ""
        }
    return tools


@login_required
def upload(request: SignedInRequest) -> HttpResponse:
    context = {"filters": filters.FILTERS, "error": "", "values": request.POST,
               "recipes": filters.for_browser(), "max_alt": photos.MAX_ALT_TEXT,
               "max_spoiler": photos.MAX_SPOILER_TEXT, "max_photos": albums.MAX_PHOTOS,
               "album_alts": [(n, request.POST.get(f"alt_text_{n}", ""))
                              for n in range(2, albums.MAX_PHOTOS + 1)]}  # fmt: skip
    if request.method == "POST":
        try:
            tagged = in_photo.from_form(request, request.user)
            place = _place_fields(request, request.user.id)
            chosen = request.FILES.getlist("image")
            if not chosen:
                raise NotFound(gettext("choose a photo to post"))
            if len(chosen) > albums.MAX_PHOTOS:
                raise Invalid(gettext("an album holds at most %(most)d photos")
                              % {"most": albums.MAX_PHOTOS})  # fmt: skip
            if len(chosen) > 1:
                media_id = _post_album(request, chosen, place)
            else:
                media_id = _post_photo(request, chosen[0], place)
            if tagged:
                people.tag(request.user, media_id, tagged)
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


def _post_album(request: SignedInRequest, chosen: list[UploadedFile], place: dict) -> int:
    """Several photos chosen at once: an album, the first the cover. The filter and the editing
    tools apply to each; the alt text describes the first, `alt_text_2` ... the others."""
    return albums.post(
        request.user,
        [file.read() for file in chosen],
        caption=request.POST.get("caption", ""),
        filter_names=[request.POST.get("filter") or "normal"] * len(chosen),
        alt_texts=[request.POST.get("alt_text", "")]
        + [request.POST.get(f"alt_text_{n}", "") for n in range(2, len(chosen) + 1)],
        location_id=place.get("location_id"),
        sensitive=request.POST.get("sensitive", ""),
        spoiler_text=request.POST.get("spoiler_text", ""),
        tools=_tools(request),
    )


def _post_photo(request: SignedInRequest, image: UploadedFile, place: dict) -> int:
    return photos.post(
        request.user,
        image.read(),
        caption=request.POST.get("caption", ""),
        filter_name=request.POST.get("filter") or "normal",
        location_id=place.get("location_id"),
        alt_text=request.POST.get("alt_text", ""),
        sensitive=request.POST.get("sensitive", ""),
        spoiler_text=request.POST.get("spoiler_text", ""),
        tools=_tools(request),
    )


def profile(request: HttpRequest, username: str) -> HttpResponse:
    person, viewer = lookups.person(username), viewer_id(request)
    hidden = not visibility.can_see(viewer, person)
    recent: list = []
    next_id = None
    if not hidden:
        recent, next_id = photos.visible_page(
            viewer,
            lambda below, want: home.recent([person.id], below, want),
            before(request),
            PROFILE_PAGE,
        )
    items = objects.media_list(recent, viewer, request)
    more = lists.more_url(request, next_id)
    if _fetch(request):
        return render(request, "web/_grid_page.html", {"items": items, "more": more})
    status = relationships.status(request.user, person) if request.user.is_authenticated else None
    shown = objects.user(person, request)
    return render(
        request,
        "web/profile.html",
        {"person": shown, "unfurl": unfurl.profile(shown, person, request),
         "items": items, "more": more,
         "hidden": hidden, "status": status, "is_self": viewer == person.id,
         "deleted": request.GET.get("deleted") == "1", "tab": "posts"},
    )  # fmt: skip


@signed_in_post
def relate(request: SignedInRequest, username: str) -> HttpResponse:
    person = lookups.person(username)
    action = request.POST.get("action")
    if action in ("block", "mute") and request.POST.get("confirmed") != "yes":
        # a block ends follows both ways at once, a mute hides someone: say so, ask once more
        page = "web/block.html" if action == "block" else "web/mute.html"
        return render(request, page, {"person": objects.user_small(person, request)})
    with contextlib.suppress(FilmrollError):  # the page shows the relationship as it stands
        relationships.act(request.user, person, action)
    return HttpResponseRedirect(f"/{person.username}/")


@login_required
def activity_page(request: SignedInRequest) -> HttpResponse:
    items, next_id = activity.assemble(request.user.id, before(request), ACTIVITY_PAGE)
    activity.mark_seen(request.user.id, items)
    return lists.page(request, "web/activity.html", "web/_activity_page.html",
                      {"items": items, "more": lists.more_url(request, next_id)})  # fmt: skip
