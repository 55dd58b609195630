"""Routes of the v1 API, served at /api/v1/ and at /v1/ (filmroll.urls). Each also answers with
a `.json` suffix or a trailing slash, as old clients send them."""

from django.http import HttpRequest, JsonResponse
from django.urls import re_path

from filmroll.api import (
    accounts,
    connections,
    discovery,
    docs,
    feeds,
    finding,
    graph,
    leaving,
    maps,
    media,
    oembed,
    people,
    push,
    social,
    subscriptions,
    twofactor,
)
from filmroll.api.envelope import endpoint
from filmroll.errors import NoEndpoint

ID = r"(?P<user_id>[0-9]+)"
WHO = r"(?P<user_id>self|[0-9]+)"
MEDIA = r"(?P<media_id>[0-9]+)"
TAG = r"(?P<name>[^/]+?)"
LOCATION = r"(?P<location_id>[0-9]+)"


def route(path: str, view, name: str):
    return re_path(rf"^{path}(?:\.json|/)?$", view, name=name)


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", auth=False)
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    raise NoEndpoint(f"no API endpoint at {request.path}")


urlpatterns = [
    # The two most read first: Django tries the patterns in turn (~0.5 us each), and no pattern
    # before them could match their paths.
    route(rf"media/{MEDIA}", media.detail, "media"),
    route("users/self/feed", feeds.feed, "feed"),
    route("accounts/signup", accounts.signup, "signup"),
    route("accounts/login", accounts.login, "login"),
    route("accounts/login/two_factor", accounts.login_two_factor, "login-two-factor"),
    route("accounts/logout", accounts.logout, "logout"),
    route("accounts/password", accounts.password, "password"),
    route("users/self", accounts.me, "self"),
    route("users/self/two_factor", twofactor.status, "two-factor"),
    route("users/self/two_factor/totp", twofactor.totp_begin, "two-factor-totp"),
    route("users/self/two_factor/totp/confirm", twofactor.totp_confirm, "two-factor-confirm"),
    route("users/self/two_factor/disable", twofactor.disable, "two-factor-disable"),
    route("users/self/two_factor/recovery_codes", twofactor.recovery_codes, "recovery-codes"),
    route("users/self/media/liked", feeds.liked, "liked"),
    route("users/self/media/saved", feeds.saved_media, "saved"),
    route("users/self/requested-by", graph.requested_by, "requested-by"),
    route("users/self/activity", feeds.activity_feed, "activity"),
    route("users/self/activity/following", feeds.following_activity, "activity-following"),
    route("users/self/devices", push.devices, "devices"),
    route("users/self/push", push.preferences, "push-preferences"),
    route("users/self/connections", connections.connections, "connections"),
    route("users/self/suggested", finding.suggested, "suggested"),
    route(f"users/self/suggested/{ID}", finding.dismiss, "suggested-dismiss"),
    route(f"users/self/suggested/{ID}/dismiss", finding.dismiss_by_post, "suggested-dismiss-post"),
    route("users/self/contacts/match", finding.match_contacts, "contacts-match"),
    route("users/self/export", leaving.data_export, "data-export"),
    route("push/vapid", push.vapid_key, "vapid-key"),
    route("users/search", discovery.user_search, "user-search"),
    route(f"users/{ID}", accounts.user, "user"),
    route(f"users/{WHO}/media/recent", feeds.recent, "user-media"),
    route(f"users/{WHO}/media/map", maps.media_map, "user-media-map"),
    route(f"users/{WHO}/media/tagged", people.tagged, "user-media-tagged"),
    route(f"users/{WHO}/follows", graph.follows, "follows"),
    route(f"users/{WHO}/followed-by", graph.followed_by, "followed-by"),
    route(f"users/{WHO}/relationship", graph.relationship, "relationship"),
    route("media", media.post, "media-post"),
    route("media/filters", media.filter_list, "media-filters"),
    route("media/search", discovery.media_search, "media-search"),
    route("media/popular", discovery.media_popular, "media-popular"),
    route(rf"media/{MEDIA}/likes", social.media_likes, "likes"),
    route(rf"media/{MEDIA}/saved", media.media_saved, "media-saved"),
    route(rf"media/{MEDIA}/comments", social.media_comments, "comments"),
    route(rf"media/{MEDIA}/comments/(?P<comment_id>[0-9]+)", social.media_comment, "comment"),
    route(rf"media/{MEDIA}/users_in_photo/self", people.in_photo_self, "users-in-photo-self"),
    route(r"media/shortcode/(?P<code>[A-Za-z0-9_-]+)", media.by_shortcode, "media-shortcode"),
    route("tags/search", discovery.tag_search, "tag-search"),
    route(f"tags/{TAG}/media/recent", discovery.tag_recent, "tag-media"),
    route(f"tags/{TAG}", discovery.tag, "tag"),
    route("locations", discovery.location_create, "locations"),
    route("locations/search", discovery.location_search, "location-search"),
    route(f"locations/{LOCATION}", discovery.location, "location"),
    route(f"locations/{LOCATION}/media/recent", discovery.location_recent, "location-media"),
    route(
        r"geographies/(?P<geo_id>[0-9]+)/media/recent",
        discovery.geography_recent,
        "geography-media",
    ),
    route("subscriptions", subscriptions.subscriptions, "subscriptions"),
    route("oembed", oembed.oembed, "oembed"),  # and at the site's root (filmroll.urls)
    route("openapi", docs.schema, "openapi"),
    route("docs", docs.page, "docs"),
    re_path(r"^.*$", not_found),
]
