from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views import defaults
from django.views.generic import RedirectView
from oauth2_provider import urls as oauth_urls

from filmroll.api import oauth, oembed
from filmroll.api.envelope import failure, is_api
from filmroll.api.urls import not_found as api_not_found
from filmroll.media.views import filter_preview
from filmroll.media.views import serve as serve_media
from filmroll.ops.views import healthz, healthz_deep, prometheus
from filmroll.web import (
    account_settings,
    consent,
    developer,
    embed,
    explore,
    following,
    in_photo,
    leaving,
    pages,
    photomap,
    reset,
    saved,
    suggest,
)
from filmroll.web import accounts as web_accounts
from filmroll.web import twofactor as web_twofactor
from filmroll.web.views import home as status_page

# The API where v1 clients look for it: /v1/ as on Instagram's API host and /api/v1/ (one set of
# views), OAuth and oEmbed at the root. Served on every host, and alone on FILMROLL_API_HOST.
api_patterns = [
    path("api/v1/", include(("filmroll.api.urls", "api"))),
    path("v1/", include(("filmroll.api.urls", "v1"))),
    re_path(r"^api/", api_not_found),
    re_path(r"^oembed/?$", oembed.oembed, name="oembed"),
    re_path(r"^oauth/access_token/?$", oauth.access_token, name="oauth-access-token"),
    path(
        "oauth/",
        include(
            (
                # the consent page is ours: its policy lets the redirect to the app through
                [path("authorize/", consent.Consent.as_view(), name="authorize")]
                + oauth_urls.base_urlpatterns[1:4]
                # registering and editing apps offer only filmroll's grants; secrets stay hashed
                + [
                    path(
                        "applications/register/", developer.Registration.as_view(), name="register"
                    ),
                    path("applications/<slug:pk>/", developer.Detail.as_view(), name="detail"),
                    path(
                        "applications/<slug:pk>/update/", developer.Update.as_view(), name="update"
                    ),
                ]  # fmt: skip
                + oauth_urls.management_urlpatterns,
                "oauth2_provider",
            )
        ),
    ),
]
health_patterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/deep", healthz_deep, name="healthz-deep"),
    path("metrics", prometheus, name="metrics"),
]

urlpatterns = [
    path("", pages.feed, name="home"),
    path("status", status_page, name="status"),
    # browsers and crawlers ask for it at the root whatever the page says
    path("favicon.ico", RedirectView.as_view(url="/static/filmroll/favicon.svg", permanent=True)),
    *health_patterns,
    *api_patterns,
    path("media/filters/<str:name>.jpg", filter_preview, name="filter-preview"),
    path("media/<path:key>", serve_media, name="media"),
    # Staff change their password where everyone does (which ends every grant, token and
    # session, and checks the current one through the log-in throttle), not in the admin.
    path("admin/password_change/", RedirectView.as_view(url="/settings/password/")),
    path("admin/", admin.site.urls),
    path("accounts/login/", web_accounts.login, name="login"),
    path("accounts/login/two-factor/", web_twofactor.second_step, name="login-two-factor"),
    path("accounts/login/two-factor/key", web_twofactor.second_step_key, name="login-key"),
    path("accounts/logout/", web_accounts.logout, name="logout"),
    path("accounts/signup/", web_accounts.signup, name="signup"),
    path("accounts/reset/", reset.request_reset, name="password_reset"),
    path("accounts/reset/sent/", reset.sent, name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", reset.confirm, name="password_reset_confirm"),
    path("accounts/reset/done/", reset.done, name="password_reset_complete"),
    path("upload/", pages.upload, name="upload"),
    path("upload/suggest", suggest.words, name="upload-suggest"),
    path("upload/places", suggest.places_nearby, name="upload-places"),
    path("activity/", pages.activity_page, name="activity"),
    path("activity/following/", following.following_page, name="activity-following"),
    path("p/<str:code>/", pages.photo, name="photo"),
    path("p/<str:code>/embed/", embed.embed, name="photo-embed"),
    path("p/<str:code>/media/", embed.image, name="photo-image"),
    path("p/<str:code>/like", pages.like, name="photo-like"),
    path("p/<str:code>/save", saved.save, name="photo-save"),
    path("p/<str:code>/comment", pages.comment, name="photo-comment"),
    path("p/<str:code>/report", pages.report, name="photo-report"),
    path("p/<str:code>/edit", pages.edit, name="photo-edit"),
    path("p/<str:code>/delete", pages.delete, name="photo-delete"),
    path("p/<str:code>/people", in_photo.photo_people, name="photo-people"),
    path("settings/", account_settings.settings_page, name="settings"),
    path("settings/password/", account_settings.password_page, name="password"),
    path("settings/two-factor/", web_twofactor.settings_page, name="two-factor"),
    path("settings/two-factor/key", web_twofactor.settings_key, name="two-factor-key"),
    path("settings/delete/", leaving.delete_page, name="delete-account"),
    path("settings/data/", leaving.data_page, name="data"),
    path("settings/data/<str:export_id>/download", leaving.download, name="data-download"),
    path("activity/requests/", account_settings.requests_page, name="requests"),
    path("activity/requests/<str:username>", account_settings.answer_request, name="answer"),
    path("explore/", explore.popular_page, name="explore"),
    path("explore/tags/<str:name>/", explore.tag_page, name="explore-tag"),
    path("explore/locations/<str:location_id>/", explore.place_page, name="explore-place"),
    path("explore/nearby/", explore.nearby_page, name="explore-nearby"),
    path("explore/people/", explore.people_page, name="explore-people"),
    # last: every other first path segment is a username (users.RESERVED keeps names off ours)
    path("<str:username>/", pages.profile, name="profile"),
    path("<str:username>/relationship", pages.relate, name="profile-relationship"),
    path("<str:username>/dismiss", suggest.dismiss, name="suggestion-dismiss"),
    path("<str:username>/followers/", account_settings.followers, name="followers"),
    path("<str:username>/following/", account_settings.following, name="following"),
    path("<str:username>/map/", photomap.map_page, name="photo-map"),
    path("<str:username>/map/clusters", photomap.map_clusters, name="photo-map-clusters"),
    path("<str:username>/map/photos/", photomap.map_photos, name="photo-map-photos"),
    path("<str:username>/saved/", saved.saved_page, name="saved"),
    path("<str:username>/tagged/", in_photo.tagged_page, name="profile-tagged"),
]


def _api_or(page, status: int, error_type: str, message: str):
    """Error handlers: the API's envelope under /api/ and /v1/, elsewhere Django's views, which
    draw our templates (filmroll/web/templates/400.html, 403.html, 404.html, 500.html)."""

    def handler(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_api(request):
            return failure(status, error_type, message)
        return page(request, *args, **kwargs)

    return handler


handler400 = _api_or(defaults.bad_request, 400, "APIError", "bad request")
handler403 = _api_or(defaults.permission_denied, 403, "APIForbiddenError", "forbidden")
handler404 = _api_or(defaults.page_not_found, 404, "APINotFoundError", "not found")
handler500 = _api_or(defaults.server_error, 500, "APIError", "something went wrong on our side")
