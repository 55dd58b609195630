"""Two-factor log-in on the web, through Django's test client: turned on in settings with a QR
code and a code; the password alone then leaves the browser logged out (no page, no consent
page for an app) until the second page is passed; the half-done log-in expires; tokens apps
already hold keep working; turning it off needs the password; the admin shows it and resets it
and its own log-in form does not get around it."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pyotp
import pytest
from django.test import Client

from filmroll.accounts import recovery, totp, twofactor
from filmroll.accounts.models import SecurityKey, User
from tests.api.test_oauth import REDIRECT, authorize, exchange, register_app, web_login
from tests.support.personas import PASSWORD, Api, make_user

SETTINGS = "/settings/two-factor/"


def turn_on_in_settings(browser: Client) -> tuple[str, list[str]]:
    """As a person would: open the page, set up the app, read the key, confirm with a code."""
    page = browser.get(SETTINGS)
    assert page.status_code == 200 and "Set up an authenticator app" in page.content.decode()
    setup = browser.post(SETTINGS, {"action": "totp-begin"})
    text = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in text  # the QR code, inline
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', text)[1]
    confirmed = browser.post(SETTINGS, {"action": "totp-confirm", "code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 302
    shown = browser.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown)
    assert len(codes) == 10
    # shown once only
    assert not re.findall(r"<li><code>", browser.get(SETTINGS).content.decode())
    return secret, codes


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + totp.STEP)


def password_step(username: str = "ana", next_url: str = "/") -> tuple[Client, object]:
    browser = Client()
    answer = browser.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url}
    )
    return browser, answer


def logged_in(browser: Client) -> bool:
    return browser.get("/settings/").status_code == 200


def test_turn_on_then_the_log_in_asks_for_the_code():
    make_user("ana")
    secret, _ = turn_on_in_settings(web_login("ana"))
    browser, answer = password_step(next_url="/settings/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/two-factor/"
    assert not logged_in(browser)  # half logged in is not logged in
    page = browser.get("/accounts/login/two-factor/")
    assert page.status_code == 200 and "authenticator app" in page.content.decode()
    wrong = browser.post("/accounts/login/two-factor/", {"code": "000000"})
    assert wrong.status_code == 400 and "The code is incorrect." in wrong.content.decode()
    assert not logged_in(browser)
    right = browser.post("/accounts/login/two-factor/", {"code": next_code(secret)})
    assert right.status_code == 302 and right["Location"] == "/settings/"
    assert logged_in(browser)
    # the half-done log-in is gone with it: the page sends to the log-in again
    assert browser.get("/accounts/login/two-factor/")["Location"].startswith("/accounts/login/")


def test_a_recovery_code_logs_in_once_on_the_web():
    make_user("ana")
    _, codes = turn_on_in_settings(web_login("ana"))
    browser, _ = password_step()
    assert browser.post("/accounts/login/two-factor/", {"code": codes[0]}).status_code == 302
    assert logged_in(browser)
    again, _ = password_step()
    assert again.post("/accounts/login/two-factor/", {"code": codes[0]}).status_code == 400
    assert not logged_in(again)


def test_the_half_done_log_in_expires(monkeypatch):
    make_user("ana")
    secret, _ = turn_on_in_settings(web_login("ana"))
    browser, _ = password_step()
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor, "_now", lambda: later)
    monkeypatch.setattr(totp, "_now", lambda: later)
    answer = browser.post("/accounts/login/two-factor/", {"code": pyotp.TOTP(secret).at(later)})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/?expired=1"
    assert not logged_in(browser)
    assert "took too long" in browser.get(answer["Location"]).content.decode()


def test_wrong_codes_on_the_web_are_limited(settings):
    import dataclasses

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, two_factor_failures_per_hour=2)
    make_user("ana")
    secret, _ = turn_on_in_settings(web_login("ana"))
    browser, _ = password_step()
    for code in ("000001", "000002"):
        assert browser.post("/accounts/login/two-factor/", {"code": code}).status_code == 400
    locked = browser.post("/accounts/login/two-factor/", {"code": next_code(secret)})
    assert locked.status_code == 429 and "too many wrong codes" in locked.content.decode()
    assert not logged_in(browser)


def test_the_consent_page_needs_the_second_factor_and_apps_tokens_stay():
    make_user("dev")
    ana, _ = make_user("ana")
    client_id, secret = register_app(web_login("dev"))
    # an app ana authorized before she turned two-factor log-in on
    before = exchange(client_id, secret, authorize(web_login("ana"), client_id, "basic")["code"])
    app_token = before.json()["access_token"]
    totp_secret, _ = turn_on_in_settings(web_login("ana"))
    assert Api(Client(), app_token).get("/api/v1/users/self").status_code == 200

    query = urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                       "scope": "basic likes", "state": "xyz"})  # fmt: skip
    browser, _ = password_step(next_url=f"/oauth/authorize/?{query}")
    consent = browser.get(f"/oauth/authorize/?{query}")
    assert consent.status_code == 302 and consent["Location"].startswith("/accounts/login/")
    # no code comes out for the half-logged-in browser either
    assert browser.post("/oauth/authorize/", {"client_id": client_id, "allow": "Authorize"})[
        "Location"
    ].startswith("/accounts/login/")
    done = browser.post("/accounts/login/two-factor/", {"code": next_code(totp_secret)})
    assert done["Location"] == f"/oauth/authorize/?{query}"
    back = authorize(browser, client_id, "basic likes")
    answer = exchange(client_id, secret, back["code"])
    assert answer.status_code == 200 and answer.json()["user"]["username"] == "ana"


def test_turning_off_and_new_codes_need_the_password_on_the_web():
    ana, _ = make_user("ana")
    browser = web_login("ana")
    _, codes = turn_on_in_settings(browser)
    refused = browser.post(SETTINGS, {"action": "disable", "password": "not it"})
    assert refused.status_code == 400 and twofactor.enabled(ana)
    refused = browser.post(SETTINGS, {"action": "codes", "password": "not it"})
    assert refused.status_code == 400 and recovery.left(ana) == 10
    fresh = browser.post(SETTINGS, {"action": "codes", "password": PASSWORD})
    new = re.findall(
        r"<li><code>([a-z0-9-]+)</code>", browser.get(fresh["Location"]).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(codes)
    off = browser.post(SETTINGS, {"action": "disable", "password": PASSWORD})
    assert off.status_code == 302 and not twofactor.enabled(ana)
    plain, answer = password_step()
    assert answer["Location"] == "/" and logged_in(plain)


def test_removing_a_security_key_needs_the_password():
    ana, _ = make_user("ana")
    key = SecurityKey.objects.create(
        user=ana, name="Blue key", credential_id="AAEC", public_key=b"x"
    )
    recovery.regenerate(ana)
    browser = web_login_with_key_skipped(ana)
    assert "Blue key" in browser.get(SETTINGS).content.decode()
    refused = browser.post(SETTINGS, {"action": "remove-key", "key": key.pk, "password": "no"})
    assert refused.status_code == 400 and SecurityKey.objects.filter(pk=key.pk).exists()
    browser.post(SETTINGS, {"action": "remove-key", "key": key.pk, "password": PASSWORD})
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    assert not twofactor.enabled(ana) and recovery.left(ana) == 0  # the last factor went


def web_login_with_key_skipped(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_security_key_alone_also_stops_the_password(client):
    ana, _ = make_user("ana")
    SecurityKey.objects.create(user=ana, name="Blue key", credential_id="AAEC", public_key=b"x")
    browser, answer = password_step()
    assert answer["Location"] == "/accounts/login/two-factor/" and not logged_in(browser)
    page = browser.get("/accounts/login/two-factor/").content.decode()
    assert 'id="use-security-key"' in page and "securitykeys.js" in page
    options = browser.get("/accounts/login/two-factor/key")
    assert options.status_code == 200 and options.json()["allowCredentials"][0]["id"] == "AAEC"
    assert options.json()["rpId"] == "testserver"
    bad = browser.post("/accounts/login/two-factor/key", {"credential": {"id": "AAEC"}},
                       content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and not logged_in(browser)


@pytest.mark.django_db(databases="__all__")
def test_the_admin_shows_and_resets_the_second_factor_and_its_form_does_not_get_around_it():
    boss = User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    ana, _ = make_user("ana")
    turn_on_in_settings(web_login("ana"))
    staff = Client()
    staff.force_login(boss)
    listed = staff.get("/admin/accounts/user/")
    assert listed.status_code == 200
    assert icons(listed, "ana") == ["False", "True", "False", "True"]  # the last: two-factor
    assert icons(listed, "boss") == ["False", "True", "True", "False"]
    # the admin's own log-in form: the password alone is not enough for a two-factor account
    turn_on_in_settings(web_login("boss"))
    refused = Client().post("/admin/login/", {"username": "boss", "password": PASSWORD,
                                              "next": "/admin/"})  # fmt: skip
    assert refused.status_code == 200 and "two-factor log-in" in refused.content.decode()
    reset = staff.post("/admin/accounts/user/", {"action": "reset_two_factor",
                                                 "_selected_action": [ana.pk]})  # fmt: skip
    assert reset.status_code == 302 and not twofactor.enabled(ana)
    assert icons(staff.get("/admin/accounts/user/"), "ana")[-1] == "False"
    browser, answer = password_step()
    assert answer["Location"] == "/" and logged_in(browser)


def icons(listing, username: str) -> list[str]:
    """The yes/no icons of a person's row in the admin's list of users, in order."""
    rows = re.findall(r"<tr>.*?</tr>", listing.content.decode(), re.S)
    (row,) = [r for r in rows if f">{username}</a>" in r]
    return re.findall(r'<img src="[^"]*icon-(?:yes|no)[^"]*" alt="(True|False)"', row)
