"""Third-party apps: registration in the web UI, the authorization-code flow with a consent
page (and PKCE), scopes on the token, and tokens the user takes back."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from filmroll.accounts.models import User
from tests.support.personas import PASSWORD, Api, make_user

REDIRECT = "https://app.example/callback"


def web_login(username: str) -> Client:
    browser = Client()
    answer = browser.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content
    return browser


def register_app(browser: Client, name: str = "Printshop") -> tuple[str, str]:
    """Through the registration form, as a developer would; the app's client ID and secret."""
    form = browser.get("/oauth/applications/register/")
    assert form.status_code == 200
    client_id = (
        form.context["form"].initial.get("client_id") or form.context["form"]["client_id"].value()
    )
    client_secret = form.context["form"]["client_secret"].value()
    answer = browser.post(
        "/oauth/applications/register/",
        {
            "name": name,
            "client_id": client_id,
            "client_secret": client_secret,
            "hash_client_secret": "on",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": REDIRECT,
            "post_logout_redirect_uris": "",
            "allowed_origins": "",
            "algorithm": "",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
    return client_id, client_secret


def authorize(browser: Client, client_id: str, scope: str, allow: bool = True, **extra) -> dict:
    """Open the consent page, answer it; the query of the redirect back to the app."""
    params = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
              "scope": scope, "state": "xyz", **extra}  # fmt: skip
    page = browser.get("/oauth/authorize/", params)
    if page.status_code == 302 and allow:  # agreed to these scopes before: no second question
        assert page["Location"].startswith(REDIRECT)
        return {k: v[0] for k, v in parse_qs(urlsplit(page["Location"]).query).items()}
    assert page.status_code == 200, page.content
    text = page.content.decode()
    assert "Printshop" in text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    if allow:
        fields["allow"] = "Authorize"
    answer = browser.post("/oauth/authorize/", fields)
    assert answer.status_code == 302, answer.content
    assert answer["Location"].startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()}


def exchange(client_id: str, secret: str, code: str, **extra):
    return Client().post(
        "/oauth/access_token",
        {"client_id": client_id, "client_secret": secret, "grant_type": "authorization_code",
         "redirect_uri": REDIRECT, "code": code, **extra},
    )  # fmt: skip


def test_an_app_is_registered_authorized_and_used():
    make_user("dev")
    alice, _ = make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    listed = web_login("dev").get("/oauth/applications/")
    assert "Printshop" in listed.content.decode()

    # Not logged in: the consent page sends the user to log in first, and back.
    anonymous = Client().get("/oauth/authorize/", {"client_id": client_id, "response_type": "code"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    browser = web_login("alice")
    page = browser.get(
        "/oauth/authorize/",
        {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
         "scope": "basic likes"},
    )  # fmt: skip
    assert "Like and unlike for you" in page.content.decode()  # the consent lists the scopes
    back = authorize(browser, client_id, "basic likes")
    assert back["state"] == "xyz"
    answer = exchange(client_id, secret, back["code"])
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["user"]["id"] == str(alice.id) and body["user"]["username"] == "alice"
    assert set(body["scope"].split()) == {"basic", "likes"}
    app = Api(Client(), body["access_token"])

    assert app.get("/api/v1/users/self").json()["data"]["username"] == "alice"
    # The code is used up.
    again = exchange(client_id, secret, back["code"])
    assert again.status_code == 400 and again.json()["error_type"] == "OAuthException"
    # A scope the user did not grant.
    refused = app.get(f"/api/v1/users/{alice.id}/follows")
    assert refused.status_code == 403
    assert refused.json()["meta"]["error_type"] == "OAuthPermissionsException"
    # What only filmroll's own log-in may do.
    assert app.post("/api/v1/accounts/password", {"old_password": PASSWORD,
                                                   "new_password": "x" * 20}).status_code == 403  # fmt: skip
    # A wrong secret gets nothing.
    code = authorize(browser, client_id, "basic")["code"]
    wrong = exchange(client_id, "not-the-secret", code)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_declining_sends_the_user_back_without_a_code():
    make_user("dev")
    make_user("alice")
    client_id, _ = register_app(web_login("dev"))
    back = authorize(web_login("alice"), client_id, "basic", allow=False)
    assert back["error"] == "access_denied" and "code" not in back
    assert not AccessToken.objects.filter(application__client_id=client_id).exists()


def test_pkce_is_checked_when_the_app_sends_it():
    make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    browser = web_login("alice")
    pkce = {"code_challenge": challenge.decode(), "code_challenge_method": "S256"}
    code = authorize(browser, client_id, "basic", **pkce)["code"]
    assert exchange(client_id, secret, code, code_verifier="w" * 64).status_code == 400
    code = authorize(browser, client_id, "basic", **pkce)["code"]
    answer = exchange(client_id, secret, code, code_verifier=verifier)
    assert answer.status_code == 200, answer.content


def test_the_user_revokes_an_apps_token():
    make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    browser = web_login("alice")
    token = exchange(client_id, secret, authorize(browser, client_id, "basic")["code"]).json()
    app = Api(Client(), token["access_token"])
    assert app.get("/api/v1/users/self").status_code == 200  # now cached, in a cluster
    listing = browser.get("/oauth/authorized_tokens/")
    assert "Printshop" in listing.content.decode()
    stored = AccessToken.objects.get(application__client_id=client_id)
    answer = browser.post(f"/oauth/authorized_tokens/{stored.pk}/delete/")
    assert answer.status_code == 302
    gone = app.get("/api/v1/users/self")
    assert gone.status_code == 400
    assert gone.json()["meta"]["error_type"] == "OAuthAccessTokenException"


def test_a_password_change_ends_every_token_and_session():
    make_user("dev")
    _, alice_api = make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    browser = web_login("alice")
    token = exchange(client_id, secret, authorize(browser, client_id, "basic")["code"]).json()
    app = Api(Client(), token["access_token"])
    assert app.get("/api/v1/users/self").status_code == 200
    assert browser.get("/oauth/authorized_tokens/").status_code == 200
    changed = alice_api.post(
        "/api/v1/accounts/password", {"old_password": PASSWORD, "new_password": "another long one"}
    )
    assert changed.status_code == 200, changed.content
    assert app.get("/api/v1/users/self").status_code == 400
    assert alice_api.get("/api/v1/users/self").status_code == 400
    fresh = Api(Client(), changed.json()["data"]["access_token"])
    assert fresh.get("/api/v1/users/self").status_code == 200
    # The browser's session ended too: it is sent to log in again.
    after = browser.get("/oauth/authorized_tokens/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/oauth/applications/"]
)
def test_log_in_redirects_only_within_the_site(target):
    make_user("alice")
    answer = Client().post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": target}
    )
    assert answer.status_code == 302
    assert answer["Location"] == (target if target.startswith("/o") else "/")


def test_log_in_rotates_the_session():
    make_user("alice")
    browser = Client()
    browser.get("/accounts/login/")
    browser.session.save()
    before = browser.session.session_key
    browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert browser.session.session_key != before
    wrong = Client().post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 400 and "incorrect" in wrong.content.decode()


def test_staff_see_and_register_apps_in_the_admin():
    make_user("dev")
    client_id, _ = register_app(web_login("dev"))
    staff = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.force_login(staff)
    listing = admin.get("/admin/oauth2_provider/application/")
    assert listing.status_code == 200 and "Printshop" in listing.content.decode()
    assert admin.get("/admin/oauth2_provider/application/add/").status_code == 200
    assert Application.objects.get(client_id=client_id).user.username == "dev"


def test_tokens_expire_and_a_refresh_token_renews_them_once(settings):
    """What the README and docs/api.md tell a developer porting a v1 client, whose tokens never
    expired: `expires_in` from FILMROLL_TOKEN_DAYS, a refresh token that rotates."""
    make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    first = exchange(client_id, secret, authorize(web_login("alice"), client_id, "basic")["code"])
    body = first.json()
    assert body["expires_in"] == settings.FILMROLL.token_days * 86400
    assert body["token_type"] == "Bearer" and body["refresh_token"]
    # an access token past its time is refused; its refresh token still renews it
    AccessToken.objects.filter(application__client_id=client_id).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    expired = Api(Client(), body["access_token"]).get("/api/v1/users/self")
    assert expired.json()["meta"]["error_type"] == "OAuthAccessTokenException"

    def renew(refresh_token: str):
        return Client().post("/oauth/access_token", {
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": client_id, "client_secret": secret})  # fmt: skip

    second = renew(body["refresh_token"])
    assert second.status_code == 200, second.content
    renewed = second.json()
    assert renewed["refresh_token"] != body["refresh_token"] and renewed["user"]["username"]
    assert Api(Client(), renewed["access_token"]).get("/api/v1/users/self").status_code == 200
    again = renew(body["refresh_token"])  # rotated: the one used is refused
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_rfc_7009_revocation_and_the_implicit_grant():
    dev, _ = make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    browser = web_login("alice")
    token = exchange(client_id, secret, authorize(browser, client_id, "basic")["code"]).json()
    app = Api(Client(), token["access_token"])
    assert app.get("/api/v1/users/self").status_code == 200

    def revoke(value: str):
        return Client().post("/oauth/revoke_token/", {
            "token": value, "client_id": client_id, "client_secret": secret})  # fmt: skip

    def renew(refresh_token: str):
        return Client().post("/oauth/access_token", {
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": client_id, "client_secret": secret})  # fmt: skip

    # either token of a grant ends both
    assert revoke(token["access_token"]).status_code == 200
    assert app.get("/api/v1/users/self").status_code == 400
    assert renew(token["refresh_token"]).json()["error"] == "invalid_grant"
    other = exchange(client_id, secret, authorize(browser, client_id, "basic")["code"]).json()
    assert revoke(other["refresh_token"]).status_code == 200
    assert Api(Client(), other["access_token"]).get("/api/v1/users/self").status_code == 400
    assert renew(other["refresh_token"]).json()["error"] == "invalid_grant"

    # v1's client-side flow, for an app registered for the implicit grant
    implicit = Application.objects.create(
        name="Widget", user=dev, client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_IMPLICIT, redirect_uris=REDIRECT,
    )  # fmt: skip
    page = browser.get("/oauth/authorize/", {
        "client_id": implicit.client_id, "redirect_uri": REDIRECT, "response_type": "token",
        "scope": "basic", "state": "xyz"})  # fmt: skip
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             page.content.decode()))  # fmt: skip
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()} | {"allow": "Authorize"}
    back = browser.post("/oauth/authorize/", fields)
    assert back.status_code == 302 and back["Location"].startswith(REDIRECT + "#")
    given = {k: v[0] for k, v in parse_qs(urlsplit(back["Location"]).fragment).items()}
    assert "refresh_token" not in given and given["state"] == "xyz"
    assert Api(Client(), given["access_token"]).get("/api/v1/users/self").status_code == 200
