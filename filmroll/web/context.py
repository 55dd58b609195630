"""What every page's header shows."""

from django.http import HttpRequest

from filmroll.feeds import activity


def header(request: HttpRequest) -> dict:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return {"unread": activity.unread(request.user.id)}
    return {}
