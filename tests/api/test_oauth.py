"""Third-party apps: registration in the web UI, the authorization-code flow with a consent
page (and PKCE), scopes on the token, and tokens the user takes back."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, DeviceGrant

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


def test_the_registration_form_offers_only_the_grants_filmroll_supports():
    make_user("dev")
    browser = web_login("dev")
    form = browser.get("/oauth/applications/register/")
    offered = {
        value for value, _ in form.context["form"].fields["authorization_grant_type"].choices
    }
    assert offered == {Application.GRANT_AUTHORIZATION_CODE, Application.GRANT_IMPLICIT}
    assert "hash_client_secret" not in form.context["form"].fields
    for grant in (Application.GRANT_CLIENT_CREDENTIALS, Application.GRANT_PASSWORD,
                  Application.GRANT_OPENID_HYBRID, Application.GRANT_DEVICE_CODE):  # fmt: skip
        answer = browser.post(
            "/oauth/applications/register/",
            {"name": "Bot", "client_id": "bot-id", "client_secret": "bot-secret",
             "client_type": Application.CLIENT_CONFIDENTIAL, "authorization_grant_type": grant,
             "redirect_uris": REDIRECT},
        )  # fmt: skip
        assert (
            answer.status_code == 200 and answer.context["form"].errors["authorization_grant_type"]
        )
    assert not Application.objects.filter(name="Bot").exists()


def test_the_client_secret_is_stored_hashed_and_never_shown_as_a_hash():
    make_user("dev")
    browser = web_login("dev")
    form = browser.get("/oauth/applications/register/")
    assert "cannot show it again" in form.content.decode()  # said before it is saved
    # An unticked "hash" box (the old form's) is no way to store the secret readable.
    client_id, secret = register_app(browser)
    app = Application.objects.get(client_id=client_id)
    assert app.hash_client_secret and app.client_secret != secret
    page = browser.get(f"/oauth/applications/{app.pk}/").content.decode()
    assert app.client_secret not in page and secret not in page and client_id in page
    assert "cannot be shown again" in page
    edit = browser.get(f"/oauth/applications/{app.pk}/update/").content.decode()
    assert app.client_secret not in edit
    # Editing without a new secret keeps the old one; a new one replaces it, hashed.
    fields = {"name": "Printshop 2", "client_type": Application.CLIENT_CONFIDENTIAL,
              "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
              "redirect_uris": REDIRECT, "client_secret": ""}  # fmt: skip
    assert browser.post(f"/oauth/applications/{app.pk}/update/", fields).status_code == 302
    alice_browser = (make_user("alice"), web_login("alice"))[1]
    code = authorize(alice_browser, client_id, "basic")
    assert exchange(client_id, secret, code["code"]).status_code == 200
    fields["client_secret"] = "a new secret for the printshop"
    assert browser.post(f"/oauth/applications/{app.pk}/update/", fields).status_code == 302
    app.refresh_from_db()
    assert app.client_secret != fields["client_secret"] and app.name == "Printshop 2"
    code = authorize(alice_browser, client_id, "basic")["code"]
    assert exchange(client_id, secret, code).status_code == 401
    code = authorize(alice_browser, client_id, "basic")["code"]
    assert exchange(client_id, fields["client_secret"], code).status_code == 200


def legacy_app(grant: str, name: str = "Bot") -> tuple[str, str]:
    """An app registered for a grant filmroll does not offer (as the stock form once allowed)."""
    owner = User.objects.get(username="dev")
    app = Application(name=name, user=owner, client_type=Application.CLIENT_CONFIDENTIAL,
                      authorization_grant_type=grant, redirect_uris=REDIRECT)  # fmt: skip
    secret = app.client_secret
    app.save()
    return app.client_id, secret


@pytest.mark.parametrize("path", ["/oauth/access_token", "/oauth/token/"])
@pytest.mark.parametrize(
    "grant, form",
    [
        (Application.GRANT_CLIENT_CREDENTIALS, {"grant_type": "client_credentials"}),
        (Application.GRANT_DEVICE_CODE,
         {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "dc"}),
    ],
)  # fmt: skip
def test_grants_filmroll_does_not_offer_are_refused_before_a_token_is_made(path, grant, form):
    make_user("dev")
    alice, _ = make_user("alice")
    client_id, secret = legacy_app(grant)
    # filmroll routes no device authorization endpoint; a device grant as if one had been
    # approved still gets no token
    DeviceGrant.objects.create(client_id=client_id, device_code="dc", user_code="uc", user=alice,
                               status=DeviceGrant.AUTHORIZED,
                               expires=timezone.now() + timedelta(minutes=5))  # fmt: skip
    answer = Client().post(path, {"client_id": client_id, "client_secret": secret, **form})
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"] == "unauthorized_client"
    assert "authorization code" in str(answer.json())
    assert not AccessToken.objects.filter(application__client_id=client_id).exists()


def test_a_token_for_nobody_is_answered_without_a_user_not_a_server_error(monkeypatch):
    """Should any grant ever make a token without a user, the answer is still the token."""
    from oauth2_provider.oauth2_validators import OAuth2Validator

    from filmroll.accounts.clients import Validator

    monkeypatch.setattr(Validator, "validate_grant_type", OAuth2Validator.validate_grant_type)
    make_user("dev")
    client_id, secret = legacy_app(Application.GRANT_CLIENT_CREDENTIALS)
    answer = Client(raise_request_exception=False).post(
        "/oauth/access_token",
        {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["access_token"] and "user" not in answer.json()
    # Such a token reads nothing: the API wants a user behind it.
    me = Api(Client(), answer.json()["access_token"]).get("/api/v1/users/self")
    assert me.status_code == 400


def test_the_implicit_grant_gives_a_token_in_the_fragment():
    make_user("dev")
    alice, _ = make_user("alice")
    client_id, _ = legacy_app(Application.GRANT_IMPLICIT, name="Printshop")
    browser = web_login("alice")
    params = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "token",
              "scope": "basic", "state": "xyz"}  # fmt: skip
    page = browser.get("/oauth/authorize/", params)
    assert page.status_code == 200, page.content
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             page.content.decode()))  # fmt: skip
    answer = browser.post("/oauth/authorize/", {**fields, "allow": "Authorize"})
    assert answer.status_code == 302 and answer["Location"].startswith(REDIRECT + "#")
    fragment = {k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).fragment).items()}
    me = Api(Client(), fragment["access_token"]).get("/api/v1/users/self")
    assert me.json()["data"]["id"] == str(alice.id)


@pytest.mark.parametrize("method", [{"code_challenge_method": "plain"}, {}])
def test_pkce_plain_is_refused_before_the_consent_page(method):
    make_user("dev")
    make_user("alice")
    client_id, _ = register_app(web_login("dev"))
    params = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
              "scope": "basic", "state": "xyz", "code_challenge": "v" * 64, **method}  # fmt: skip
    answer = web_login("alice").get("/oauth/authorize/", params)
    assert answer.status_code == 302 and answer["Location"].startswith(REDIRECT)
    back = parse_qs(urlsplit(answer["Location"]).query)
    assert back["error"] == ["invalid_request"] and "S256" in back["error_description"][0]
    assert "code" not in back


def test_the_token_endpoint_says_it_takes_a_form_body_not_json():
    make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    code = authorize(web_login("alice"), client_id, "basic")["code"]
    fields = {"client_id": client_id, "client_secret": secret, "code": code,
              "grant_type": "authorization_code", "redirect_uri": REDIRECT}  # fmt: skip
    answer = Client().post("/oauth/access_token", fields, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error_type"] == "OAuthException"
    assert "form body" in answer.json()["error_message"]
    # The code is not used up: the same request as a form gets the token.
    form = Client().post("/oauth/access_token", urlencode(fields),
                         content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert form.status_code == 200, form.content


def test_staff_cannot_give_an_app_a_grant_filmroll_does_not_offer():
    make_user("dev")
    staff = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.force_login(staff)
    fields = {"name": "Bot", "client_id": "bot-id", "client_secret": "bot-secret",
              "client_type": Application.CLIENT_CONFIDENTIAL, "redirect_uris": REDIRECT,
              "hash_client_secret": "on", "algorithm": "", "post_logout_redirect_uris": "",
              "allowed_origins": ""}  # fmt: skip
    refused = admin.post("/admin/oauth2_provider/application/add/",
                         {**fields, "authorization_grant_type": "client-credentials"})  # fmt: skip
    assert refused.status_code == 200 and not Application.objects.filter(name="Bot").exists()
    made = admin.post("/admin/oauth2_provider/application/add/",
                      {**fields, "authorization_grant_type": "authorization-code"})  # fmt: skip
    assert made.status_code == 302, made.content
    assert Application.objects.filter(name="Bot").exists()
