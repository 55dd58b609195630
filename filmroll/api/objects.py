"""The JSON shapes of the v1 API's objects. IDs are strings: they do not fit a double."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from django.http import HttpRequest
from django.templatetags.static import static

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.files import storage
from filmroll.media import likes, shortcodes, tags
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


def media_list(items: Sequence[Media], request: HttpRequest | None) -> list[dict]:
    """Media objects in the Instagram v1 shape; owners, places and the viewer's likes fetched
    once for the whole list."""
    viewer = getattr(request, "api_user", None)
    liked = likes.liked_by_viewer(viewer.id if viewer else None, [m.id for m in items])
    known = {m.owner.id: m.owner for m in items if m.owner is not None}
    missing = {m.user_id for m in items} - set(known)
    if missing:
        known.update(User.objects.in_bulk(missing))
    owners = {uid: user_small(u, request) for uid, u in known.items()}
    base = storage.base_url(request)
    located = places.get_many([m.location_id for m in items if m.location_id])
    result = []
    for m in items:
        created = str(ids.millis_of(m.id) // 1000)
        code = shortcodes.encode(m.id)
        if m.location_id and m.location_id in located:
            location = located[m.location_id]
        elif m.latitude is not None:
            location = {"id": None, "name": None, "latitude": m.latitude, "longitude": m.longitude}
        else:
            location = None
        result.append(
            {
                "id": str(m.id),
                "shortcode": code,
                "type": "image",
                "link": _absolute(f"/p/{code}/", request),
                "created_time": created,
                "user": owners.get(m.user_id),
                "caption": {
                    "id": str(m.id),
                    "text": m.caption,
                    "created_time": created,
                    "from": owners.get(m.user_id),
                }
                if m.caption
                else None,
                "filter": m.filter,
                "tags": tags.parse(m.caption),
                "location": location,
                "images": {
                    name: {
                        "url": f"{base}/{size['key']}",
                        "width": size["width"],
                        "height": size["height"],
                    }
                    for name, size in m.images.items()
                },
                "likes": {"count": m.likes},
                "comments": {"count": m.comments},
                "user_has_liked": m.id in liked,
                "blurhash": m.blurhash,
            }
        )
    return result


def media(item: Media, request: HttpRequest | None) -> dict:
    return media_list([item], request)[0]


def _absolute(path: str, request: HttpRequest | None) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def comments(items: Sequence, request: HttpRequest | None) -> list[dict]:
    authors = {
        u.id: user_small(u, request) for u in User.objects.filter(id__in={c.user_id for c in items})
    }
    return [
        {
            "id": str(c.id),
            "created_time": str(ids.millis_of(c.id) // 1000),
            "text": c.text,
            "from": authors.get(c.user_id),
        }
        for c in items
        if c.user_id in authors
    ]
