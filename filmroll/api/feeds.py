"""Views for the home feed, a user's photos, liked photos and the activity feed."""

from django.http import HttpRequest, JsonResponse

from filmroll.accounts.models import User
from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, ok, viewer_id
from filmroll.api.graph import named_user
from filmroll.errors import NotAllowed
from filmroll.feeds import activity, home
from filmroll.graph import edges, visibility
from filmroll.media import likes, photos
from filmroll.sharding import ids


@endpoint("GET")
def feed(request: HttpRequest) -> JsonResponse:
    count = pagination.count(request)
    page, next_id = home.read(
        request.api_user.id,
        count,
        pagination.cursor(request, "max_id"),
        pagination.cursor(request, "min_id"),
    )
    return ok(
        objects.media_list(page, viewer_id(request), request),
        pagination=pagination.links(request, next_id),
    )


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def recent(request: HttpRequest, user_id: str) -> JsonResponse:
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
def liked(request: HttpRequest) -> JsonResponse:
    count = pagination.count(request)
    found = likes.liked_page(request.api_user, pagination.cursor(request, "max_like_id"), count)
    shown = photos.visible_many(request.api_user.id, found)
    next_id = found[-1] if len(found) == count else None
    return ok(
        objects.media_list(shown, viewer_id(request), request),
        pagination=pagination.links(request, next_id, "max_like_id"),
    )


@endpoint("GET")
def activity_feed(request: HttpRequest) -> JsonResponse:
    viewer = request.api_user
    count = pagination.count(request, default=30)
    events = activity.page(viewer.id, pagination.cursor(request), count)
    people = User.objects.in_bulk({e.actor_id for e in events})
    hidden = edges.blocked_between(viewer.id, list(people))
    media = {
        m.id: m for m in photos.visible_many(viewer.id, [e.media_id for e in events if e.media_id])
    }
    shown_media = dict(
        zip(media, objects.media_list(list(media.values()), viewer.id, request), strict=True)
    )
    items: list[dict] = []
    grouped: dict[tuple, dict] = {}
    for event in events:
        actor = people.get(event.actor_id)
        if actor is None or not actor.is_active or actor.id in hidden:
            continue
        if event.media_id and event.media_id not in media:
            continue  # the photo is gone or hidden now
        group = (event.kind, event.media_id) if event.kind in ("like", "follow") else None
        if group and group in grouped:
            grouped[group]["users"].append(objects.user_small(actor, request))
            continue
        item = {
            "type": event.kind,
            "created_time": str(ids.millis_of(event.id) // 1000),
            "users": [objects.user_small(actor, request)],
            "media": shown_media.get(event.media_id),
            "text": event.text,
        }
        items.append(item)
        if group:
            grouped[group] = item
    for item in items:
        item["text"] = item["text"] or _summary(item)
    next_id = events[-1].id if len(events) == count else None
    return ok(items, pagination=pagination.links(request, next_id))


def _summary(item: dict) -> str:
    """ "ana, bo and 3 others liked your photo." and the like."""
    names = [u["username"] for u in item["users"]]
    if len(names) > 3:
        who = f"{names[0]}, {names[1]} and {len(names) - 2} others"
    else:
        who = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    return {
        "like": f"{who} liked your photo.",
        "follow": f"{who} started following you.",
        "follow_request": f"{who} asked to follow you.",
    }.get(item["type"], "")
