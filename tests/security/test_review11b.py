"""Attacks on the OAuth surface as the developer pages and the token endpoint now stand: a crafted
form that switches an app to a grant filmroll does not offer, another developer's app, a secret
stored readable, a grant the token endpoint must refuse in JSON without a token, and PKCE
"plain" slipped into the consent page's own POST."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from tests.api.test_oauth import REDIRECT, authorize, exchange, register_app, web_login
from tests.support.personas import make_user

REFUSED = [Application.GRANT_CLIENT_CREDENTIALS, Application.GRANT_PASSWORD,
           Application.GRANT_OPENID_HYBRID, Application.GRANT_DEVICE_CODE]  # fmt: skip


def fields(**extra) -> dict:
    return {"name": "Printshop", "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": REDIRECT, "client_secret": "", **extra}  # fmt: skip


@pytest.mark.parametrize("grant", REFUSED)
def test_the_edit_form_cannot_switch_an_app_to_a_refused_grant(grant):
    make_user("dev")
    browser = web_login("dev")
    client_id, _ = register_app(browser)
    app = Application.objects.get(client_id=client_id)
    answer = browser.post(f"/oauth/applications/{app.pk}/update/",
                          fields(authorization_grant_type=grant))  # fmt: skip
    assert answer.status_code == 200 and answer.context["form"].errors["authorization_grant_type"]
    app.refresh_from_db()
    assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE


def test_fields_outside_the_forms_are_ignored():
    """A crafted registration or edit cannot store the secret readable, move the app to
    another owner, or set the library's other fields."""
    make_user("dev")
    other, _ = make_user("other")
    browser = web_login("dev")
    crafted = {"hash_client_secret": "", "user": str(other.pk), "skip_authorization": "on",
               "algorithm": "RS256", "allowed_origins": "https://evil.example"}  # fmt: skip
    form = browser.get("/oauth/applications/register/").context["form"]
    browser.post("/oauth/applications/register/",
                 {**fields(client_secret="readable-secret-1"), "client_id": "crafted-id",
                  **crafted})  # fmt: skip
    app = Application.objects.get(client_id="crafted-id")
    assert app.hash_client_secret and app.client_secret != "readable-secret-1"
    assert app.user.username == "dev" and not app.skip_authorization
    assert not app.algorithm and not app.allowed_origins
    assert form["client_secret"].value() not in browser.get("/oauth/applications/").content.decode()
    answer = browser.post(f"/oauth/applications/{app.pk}/update/",
                          {**fields(client_secret="readable-secret-2"), **crafted})  # fmt: skip
    assert answer.status_code == 302
    app.refresh_from_db()
    assert app.hash_client_secret and app.client_secret != "readable-secret-2"
    assert app.user.username == "dev" and not app.skip_authorization
    assert not app.algorithm and not app.allowed_origins


def test_a_new_secret_on_an_app_with_a_readable_one_is_stored_hashed():
    dev, _ = make_user("dev")
    app = Application(name="Old", user=dev, client_type=Application.CLIENT_CONFIDENTIAL,
                      authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                      redirect_uris=REDIRECT, hash_client_secret=False)  # fmt: skip
    app.save()
    browser = web_login("dev")
    old = app.client_secret
    assert old in browser.get(f"/oauth/applications/{app.pk}/").content.decode()  # its owner's
    assert browser.post(f"/oauth/applications/{app.pk}/update/",
                        fields(client_secret="the new one")).status_code == 302  # fmt: skip
    app.refresh_from_db()
    assert app.hash_client_secret and app.client_secret not in (old, "the new one")
    page = browser.get(f"/oauth/applications/{app.pk}/").content.decode()
    assert app.client_secret not in page and old not in page and "the new one" not in page


def test_another_developers_app_is_not_found():
    make_user("dev")
    make_user("mallory")
    client_id, secret = register_app(web_login("dev"))
    app = Application.objects.get(client_id=client_id)
    mallory = web_login("mallory")
    for path in ("", "update/", "delete/"):
        assert mallory.get(f"/oauth/applications/{app.pk}/{path}").status_code == 404
    assert mallory.post(f"/oauth/applications/{app.pk}/update/",
                        fields(client_secret="mallory's")).status_code == 404  # fmt: skip
    assert mallory.post(f"/oauth/applications/{app.pk}/delete/").status_code == 404
    assert client_id not in mallory.get("/oauth/applications/").content.decode()
    app.refresh_from_db()
    assert app.name == "Printshop" and Application.objects.filter(pk=app.pk).exists()
    # Logged out: to the login page, nothing shown.
    anonymous = Client().get(f"/oauth/applications/{app.pk}/")
    assert anonymous.status_code == 302 and client_id not in anonymous.content.decode()


@pytest.mark.parametrize("grant_type", [
    "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer", "implicit", "token", "", None,
    "refresh_token", "authorization_code",
])  # fmt: skip
@pytest.mark.parametrize("registered", [Application.GRANT_AUTHORIZATION_CODE,
                                        Application.GRANT_IMPLICIT])  # fmt: skip
def test_every_refused_grant_is_answered_in_json_without_a_token(grant_type, registered):
    dev, _ = make_user("dev")
    app = Application(name="App", user=dev, client_type=Application.CLIENT_CONFIDENTIAL,
                      authorization_grant_type=registered, redirect_uris=REDIRECT)  # fmt: skip
    secret = app.client_secret
    app.save()
    body = {"client_id": app.client_id, "client_secret": secret, "username": "dev",
            "password": "x", "device_code": "dc", "refresh_token": "nope", "code": "nope",
            "redirect_uri": REDIRECT, "assertion": "a.b.c"}  # fmt: skip
    if grant_type is not None:
        body["grant_type"] = grant_type
    before = AccessToken.objects.count()  # the persona's own
    answer = Client().post("/oauth/access_token", body)
    assert 400 <= answer.status_code < 500, answer.content
    assert answer.json()["error_type"] == "OAuthException" and answer.json()["error"]
    assert AccessToken.objects.count() == before
    assert not AccessToken.objects.filter(application=app).exists()


def test_a_refresh_token_of_an_app_switched_to_implicit_is_refused_in_json():
    """Implicit apps get no refresh token; one issued before the app was switched to implicit
    is refused (the app's grant no longer allows it) in JSON, with no new token."""
    make_user("dev")
    make_user("alice")
    dev = web_login("dev")
    client_id, secret = register_app(dev)
    code = authorize(web_login("alice"), client_id, "basic")["code"]
    refresh = exchange(client_id, secret, code).json()["refresh_token"]
    app = Application.objects.get(client_id=client_id)
    assert (
        dev.post(
            f"/oauth/applications/{app.pk}/update/",
            fields(authorization_grant_type=Application.GRANT_IMPLICIT),
        ).status_code
        == 302
    )
    before = AccessToken.objects.count()
    answer = Client().post("/oauth/access_token", {"client_id": client_id, "client_secret": secret,
                           "grant_type": "refresh_token", "refresh_token": refresh})  # fmt: skip
    assert answer.status_code in (400, 401), answer.content
    assert answer.json()["error_type"] == "OAuthException"
    assert AccessToken.objects.count() == before
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1


@pytest.mark.parametrize("method", ["plain", "", "S512"])
def test_pkce_plain_slipped_into_the_consent_post_gets_no_code(method):
    """The consent page was shown without PKCE; its POST re-sent with a "plain" challenge
    makes no code (the POST is validated again, not only the GET)."""
    make_user("dev")
    make_user("alice")
    client_id, secret = register_app(web_login("dev"))
    browser = web_login("alice")
    params = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
              "scope": "basic", "state": "xyz"}  # fmt: skip
    page = browser.get("/oauth/authorize/", params)
    assert page.status_code == 200
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             page.content.decode()))  # fmt: skip
    hidden = {k: v.replace("&amp;", "&") for k, v in hidden.items()}
    hidden.update(code_challenge="v" * 64, code_challenge_method=method, allow="Authorize")
    answer = browser.post("/oauth/authorize/", hidden)
    assert answer.status_code == 302 and answer["Location"].startswith(REDIRECT)
    back = parse_qs(urlsplit(answer["Location"]).query)
    assert back["error"] == ["invalid_request"] and "code" not in back
    assert not Grant.objects.exists()
