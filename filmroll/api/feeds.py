"""Views for the home feed, a user's photos, liked photos and the activity feed."""

from django.http import JsonResponse

from filmroll import objcache
from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import Raw, endpoint, ok, viewer_id
from filmroll.api.graph import named_user
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.errors import NotAllowed
from filmroll.feeds import activity, following, home
from filmroll.graph import visibility
from filmroll.media import likes, photos, saved


@endpoint("GET", kept_token=True)
def feed(request: ApiRequest) -> JsonResponse:
    count = pagination.count(request)
    with objcache.remembering():  # what the page reads, in two multi-gets (photos.visible_many)
        page, next_id = home.read(
            request.api_user.id,
            count,
            pagination.cursor(request, "max_id"),
            pagination.cursor(request, "min_id"),
        )
        shown = objects.media_list_json(page, viewer_id(request), request)
    return ok(Raw(shown), pagination=pagination.links(request, next_id))


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def recent(request: PublicRequest, user_id: str) -> JsonResponse:
    scopes.require(request, scopes.for_user(request, user_id))
    owner = named_user(request, user_id)
    viewer = viewer_id(request)
    if not visibility.can_see(viewer, owner):
        raise NotAllowed("you cannot view this resource: the account is private")
    count = pagination.count(request)
    before, after = pagination.bounds(request)
    found = home.recent([owner.id], before, count)
    shown = photos.visible_many(viewer, found)
    next_id = found[-1] if len(found) == count and shown else None
    shown, next_id = pagination.above(shown, next_id, after)
    return ok(
        objects.media_list(shown, viewer, request), pagination=pagination.links(request, next_id)
    )


@endpoint("GET")
def liked(request: ApiRequest) -> JsonResponse:
    count = pagination.count(request)
    found = likes.liked_page(request.api_user, pagination.cursor(request, "max_like_id"), count)
    shown = photos.visible_many(request.api_user.id, found)
    next_id = found[-1] if len(found) == count else None
    return ok(
        objects.media_list(shown, viewer_id(request), request),
        pagination=pagination.links(request, next_id, "max_like_id"),
    )


@endpoint("GET")
def saved_media(request: ApiRequest) -> JsonResponse:
    """The viewer's own "Saved" list, newest saved first; `max_id` pages on (the save's ID)."""
    count = pagination.count(request)
    shown, next_id = saved.page(request.api_user, pagination.cursor(request, "max_id"), count)
    return ok(
        objects.media_list(shown, viewer_id(request), request),
        pagination=pagination.links(request, next_id),
    )


@endpoint("GET")
def activity_feed(request: ApiRequest) -> JsonResponse:
    count = pagination.count(request, default=30)
    items, next_id = activity.assemble(request.api_user.id, pagination.cursor(request), count)
    shown = {m.id: m for m in (item.media for item in items) if m is not None}
    rendered = dict(
        zip(
            shown,
            objects.media_list(list(shown.values()), request.api_user.id, request),
            strict=True,
        )
    )
    return ok(
        [
            {
                "type": item.kind,
                "created_time": str(item.created),
                "users": [objects.user_small(u, request) for u in item.actors],
                "media": rendered.get(item.media.id) if item.media else None,
                "text": item.summary,
            }
            for item in items
        ],
        pagination=pagination.links(request, next_id),
    )


@endpoint("GET")
def following_activity(request: ApiRequest) -> JsonResponse:
    """The Following tab: what the people the viewer follows did, grouped (feeds/following.py)."""
    count = pagination.count(request, default=30)
    with objcache.remembering():
        items, next_id = following.assemble(request.api_user.id, pagination.cursor(request), count)
        shown = {m.id: m for item in items for m in item.media}
        rendered = dict(
            zip(
                shown,
                objects.media_list(list(shown.values()), request.api_user.id, request),
                strict=True,
            )
        )
    return ok(
        [
            {
                "id": str(item.newest_id),
                "type": item.kind,
                "created_time": str(item.created),
                "users": [objects.user_small(u, request) for u in item.actors],
                "media": [rendered[m.id] for m in item.media if m.id in rendered],
                "targets": [objects.user_small(u, request) for u in item.targets],
                "text": item.summary,
                "comment": item.text or None,
            }
            for item in items
        ],
        pagination=pagination.links(request, next_id),
    )
