"""What many pages need from a request: who is looking, the page cursor, the person a path
names."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from filmroll.accounts.models import User
from filmroll.sharding import ids


class SignedInRequest(HttpRequest):
    """A request to a page behind `login_required`: its user is signed in. Only a type: the
    object is Django's own request."""

    user: User


def viewer_id(request: HttpRequest) -> int | None:
    """The signed-in user's ID, or None."""
    return request.user.id if request.user.is_authenticated else None


def before(request: HttpRequest) -> int | None:
    """The `max_id` page cursor; a bad one means the first page."""
    try:
        return ids.parse(request.GET["max_id"]) if request.GET.get("max_id") else None
    except ValueError:
        return None


def person(username: str) -> User:
    found = User.objects.filter(username=username.lower(), is_active=True).first()
    if found is None:
        raise Http404("no such account")
    return found
