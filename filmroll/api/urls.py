"""Routes of the v1 API. Each also answers with a `.json` suffix, as old clients send it."""

from django.http import HttpRequest, JsonResponse
from django.urls import re_path

from filmroll.api import accounts, media
from filmroll.api.envelope import failure

ID = r"(?P<user_id>[0-9]+)"


def route(path: str, view, name: str):
    return re_path(rf"^{path}(?:\.json)?$", view, name=name)


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return failure(404, "APINotFoundError", f"no API endpoint at {request.path}")


urlpatterns = [
    route("accounts/signup", accounts.signup, "signup"),
    route("accounts/login", accounts.login, "login"),
    route("accounts/logout", accounts.logout, "logout"),
    route("accounts/password", accounts.password, "password"),
    route("users/self", accounts.me, "self"),
    route(f"users/{ID}", accounts.user, "user"),
    route("media", media.post, "media-post"),
    route("media/filters", media.filter_list, "media-filters"),
    route(r"media/(?P<media_id>[0-9]+)", media.detail, "media"),
    route(r"media/shortcode/(?P<code>[A-Za-z0-9_-]+)", media.by_shortcode, "media-shortcode"),
    re_path(r"^.*$", not_found),
]
