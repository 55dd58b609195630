"""Routes of the v1 API. Each also answers with a `.json` suffix, as old clients send it."""

from django.http import HttpRequest, JsonResponse
from django.urls import re_path

from filmroll.api import accounts, feeds, graph, media, social
from filmroll.api.envelope import failure

ID = r"(?P<user_id>[0-9]+)"
WHO = r"(?P<user_id>self|[0-9]+)"
MEDIA = r"(?P<media_id>[0-9]+)"


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
    route("users/self/feed", feeds.feed, "feed"),
    route("users/self/media/liked", feeds.liked, "liked"),
    route("users/self/requested-by", graph.requested_by, "requested-by"),
    route("users/self/activity", feeds.activity_feed, "activity"),
    route(f"users/{ID}", accounts.user, "user"),
    route(f"users/{WHO}/media/recent", feeds.recent, "user-media"),
    route(f"users/{WHO}/follows", graph.follows, "follows"),
    route(f"users/{WHO}/followed-by", graph.followed_by, "followed-by"),
    route(f"users/{WHO}/relationship", graph.relationship, "relationship"),
    route("media", media.post, "media-post"),
    route("media/filters", media.filter_list, "media-filters"),
    route(rf"media/{MEDIA}", media.detail, "media"),
    route(rf"media/{MEDIA}/likes", social.media_likes, "likes"),
    route(rf"media/{MEDIA}/comments", social.media_comments, "comments"),
    route(rf"media/{MEDIA}/comments/(?P<comment_id>[0-9]+)", social.media_comment, "comment"),
    route(r"media/shortcode/(?P<code>[A-Za-z0-9_-]+)", media.by_shortcode, "media-shortcode"),
    re_path(r"^.*$", not_found),
]
