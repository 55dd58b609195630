"""The JSON shapes of the v1 API's objects. IDs are strings: they do not fit a double."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.templatetags.static import static

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.media import storage


def profile_picture(user: User, request: HttpRequest | None) -> str:
    if user.avatar_key:
        return storage.url(user.avatar_key, request)
    path = static("filmroll/avatar.svg")
    return request.build_absolute_uri(path) if request is not None else path


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
