"""The JSON shapes of the v1 API's objects, exactly as v1 documented them (filmroll's extra
fields beside them). IDs are strings: they do not fit a double. Presenters take the viewer
explicitly (the web pages and the admin use them too): what "you liked this" means and whose
comments a viewer may see depend on it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import orjson
from django.http import HttpRequest
from django.templatetags.static import static

from filmroll.accounts import counts
from filmroll.accounts import users as accounts
from filmroll.accounts.models import User
from filmroll.api import fragments
from filmroll.files import storage
from filmroll.graph import edges
from filmroll.media import filters, likes, previews, saved, shortcodes, tags
from filmroll.media.photomap import MapCluster
from filmroll.media.rows import Media
from filmroll.places import places
from filmroll.sharding import ids


def profile_picture(user: User, request: HttpRequest | None) -> str:
    if user.avatar_key:
        return storage.url(user.avatar_key, request)
    return _default_avatar(request)


@functools.cache
def _default_avatar_path() -> str:
    return static("filmroll/avatar.svg")


def _default_avatar(request: HttpRequest | None) -> str:
    path = _default_avatar_path()  # made once; the request's scheme and host are cached by Django
    return path if request is None else request.build_absolute_uri(path)


def users(people: Iterable[User], request: HttpRequest | None) -> list[dict]:
    """User objects with counts: one counts query per physical database for the whole list."""
    people = list(people)
    per_user = counts.for_users(u.id for u in people)
    return [
        {
            "id": str(u.id),
            "username": u.username,
            "full_name": u.full_name,
            "profile_picture": profile_picture(u, request),
            "bio": u.bio,
            "website": u.website,
            "is_private": u.is_private,
            "counts": per_user[u.id],
        }
        for u in people
    ]


def user(person: User, request: HttpRequest | None) -> dict:
    return users([person], request)[0]


def user_small(person: User, request: HttpRequest | None) -> dict:
    return {
        "id": str(person.id),
        "username": person.username,
        "full_name": person.full_name,
        "profile_picture": profile_picture(person, request),
    }


def likers(people: Iterable[User], request: HttpRequest | None) -> list[dict]:
    """GET /media/{id}/likes: user objects plus the fields v1's first likes list had."""
    listed = []
    for person, shown in zip(people, users(people, request), strict=True):
        first, _, last = person.full_name.partition(" ")
        listed.append({**shown, "first_name": first, "last_name": last, "type": "user"})
    return listed


def media_list(
    items: Sequence[Media], viewer_id: int | None, request: HttpRequest | None
) -> list[dict]:
    """Media objects in the v1 shape (see `_rendered`), as dicts the caller may change."""
    return [orjson.loads(encoded) for encoded in _rendered(items, viewer_id, request)]


def media(item: Media, viewer_id: int | None, request: HttpRequest | None) -> dict:
    return media_list([item], viewer_id, request)[0]


def media_list_json(
    items: Sequence[Media], viewer_id: int | None, request: HttpRequest | None
) -> bytes:
    """`media_list` encoded: a JSON array, spliced from the objects' cached fragments."""
    return b"[" + b",".join(_rendered(items, viewer_id, request)) + b"]"


def media_json(item: Media, viewer_id: int | None, request: HttpRequest | None) -> bytes:
    return _rendered([item], viewer_id, request)[0]


def _rendered(
    items: Sequence[Media], viewer_id: int | None, request: HttpRequest | None
) -> list[bytes]:
    """Media objects in the v1 shape, each encoded. Owners, places, the viewer's likes and the
    few latest comments and likers are fetched once for the whole list; comments and likers
    the viewer may not see (blocked either way, deactivated) are left out of `data`, never of
    `count`.

    What every viewer sees alike is a fragment, kept encoded (fragments.py) under the versions
    of the rows it was made from; only the viewer's parts are spliced in: `user_has_liked`,
    `user_has_saved`, and likers or comments of people in a block with the viewer left out."""
    liked = likes.liked_by_viewer(viewer_id, [m.id for m in items])
    kept = saved.saved_by_viewer(viewer_id, [m.id for m in items])
    shown = previews.get_many([m.id for m in items])
    known = {m.owner.id: m.owner for m in items if m.owner is not None}
    people = {u for p in shown.values() for u in (*p.likers, *(c[1] for c in p.comments))}
    people |= {t[0] for m in items for t in m.people}  # users_in_photo
    known.update(accounts.cached((people | {m.user_id for m in items}) - set(known)))
    hidden = edges.blocked_between(viewer_id, list(people)) if viewer_id else set()
    located = places.get_many([m.location_id for m in items if m.location_id])
    prefix = _absolute("/", request)
    base = storage.base_url(request)
    made: dict[int, fragments.Fragment] = {}
    keys: dict[int, tuple | None] = {}
    for m in items:
        preview = shown.get(m.id) or previews.Preview((), ())
        keys[m.id] = key = fragments.key(m, preview, prefix, base)
        found = fragments.get(key)
        if found is not None:
            made[m.id] = found
    missing = [m for m in items if m.id not in made]
    for m in missing:
        preview = shown.get(m.id) or previews.Preview((), ())
        made[m.id] = fragments.make(_shared(m, preview, known, located, base, request))
        fragments.put(keys[m.id], made[m.id])
    return [fragments.for_viewer(made[m.id], m.id in liked, hidden, m.id in kept) for m in items]


def _shared(
    m: Media,
    preview: previews.Preview,
    known: dict[int, User],
    located: dict[int, dict],
    base: str,
    request: HttpRequest | None,
) -> dict:
    """What every viewer sees of a photo: everything but `user_has_liked` and `user_has_saved`,
    and likers, commenters and people in the photo listed whoever they are (active accounts
    only)."""
    owner = user_small(known[m.user_id], request) if m.user_id in known else None
    small = {
        uid: user_small(known[uid], request)
        for uid in {*preview.likers, *(c[1] for c in preview.comments), *(t[0] for t in m.people)}
        if uid in known and known[uid].is_active
    }
    created = str(ids.millis_of(m.id) // 1000)
    code = shortcodes.encode(m.id)
    shown = {
        "id": str(m.id),
        "shortcode": code,
        "type": "carousel" if m.carousel else "image",
        "link": _absolute(f"/p/{code}/", request),
        "created_time": created,
        "user": owner,
        "caption": {"id": str(m.id), "text": m.caption, "created_time": created, "from": owner}
        if m.caption
        else None,
        "alt_text": m.alt_text,
        "sensitive": m.sensitive,
        "spoiler_text": m.spoiler_text,
        "filter": filters.display_name(m.filter),
        "tags": tags.parse(m.caption),
        "location": _location(m, located),
        "images": _images(m.images, base),
        "likes": {"count": m.likes, "data": [small[u] for u in preview.likers if u in small]},
        "comments": {
            "count": m.comments,
            "data": [
                _comment(comment_id, text, small[author])
                for comment_id, author, text in preview.comments
                if author in small
            ],
        },
        "users_in_photo": [
            {"user": small[uid], "position": {"x": x, "y": y}}
            for uid, x, y in m.people
            if uid in small
        ],
        "attribution": None,
        "blurhash": m.blurhash,
    }
    if m.carousel:  # an album: every photo, the cover (the object's own images) first
        shown["carousel_media"] = [
            {"id": f"{m.id}_{number}", "type": "image", "images": _images(photo["images"], base),
             "alt_text": photo["alt_text"], "filter": filters.display_name(photo["filter"]),
             "blurhash": photo["blurhash"]}
            for number, photo in enumerate(m.photos, start=1)
        ]  # fmt: skip
    return shown


def _images(sizes: dict[str, dict], base: str) -> dict[str, dict]:
    return {
        name: {"url": f"{base}/{size['key']}", "width": size["width"], "height": size["height"]}
        for name, size in sizes.items()
    }


def _location(m: Media, located: dict[int, dict]) -> dict | None:
    if m.location_id and m.location_id in located:
        return located[m.location_id]
    if m.latitude is not None:
        return {"id": None, "name": None, "latitude": m.latitude, "longitude": m.longitude,
                "street_address": ""}  # fmt: skip
    return None


def _absolute(path: str, request: HttpRequest | None) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _comment(comment_id: int, text: str, author: dict) -> dict:
    return {
        "id": str(comment_id),
        "created_time": str(ids.millis_of(comment_id) // 1000),
        "text": text,
        "from": author,
    }


def comments(items: Sequence, request: HttpRequest | None) -> list[dict]:
    authors = {
        u.id: user_small(u, request) for u in User.objects.filter(id__in={c.user_id for c in items})
    }
    return [_comment(c.id, c.text, authors[c.user_id]) for c in items if c.user_id in authors]


def map_cluster(found: MapCluster, request: HttpRequest | None) -> dict:
    """A cluster of a Photo Map: where (the mean of its points), how many, the box holding them
    (minLng, minLat, maxLng, maxLat), its newest photo as the cover, and the IDs of its photos
    when it is small enough to list (None when it should be zoomed into)."""
    c, cover = found.cluster, found.cover
    box, code, thumbnail = c.box, shortcodes.encode(cover.id), cover.images["thumbnail"]
    return {
        "lat": c.lat,
        "lng": c.lng,
        "count": c.count,
        "bbox": [box.west, box.south, box.east, box.north],
        "cover": {
            "id": str(cover.id),
            "shortcode": code,
            "link": _absolute(f"/p/{code}/", request),
            "thumbnail": {
                "url": f"{storage.base_url(request)}/{thumbnail['key']}",
                "width": thumbnail["width"],
                "height": thumbnail["height"],
            },
            # a content warning: clients draw the cover veiled (the web map blurs it)
            "sensitive": bool(cover.sensitive),
        },
        "media_ids": None if found.media_ids is None else [str(m) for m in found.media_ids],
    }
