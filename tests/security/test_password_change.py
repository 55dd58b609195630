"""A new password ends everything that acted for the old one: authorization codes an app has
not exchanged yet (the red team exchanged one after a change for a fresh 90-day token),
refresh tokens, access tokens and web sessions; after a change and after a reset by mail."""

from __future__ import annotations

import dataclasses
import re

from django.test import Client

from filmroll.accounts.models import User
from tests.api.test_oauth import authorize, exchange, register_app, web_login
from tests.support.personas import PASSWORD, Api, make_user

NEW = "a brand new passphrase"


def an_app_acting_for_alice() -> dict:
    """An app alice authorized: a token it holds (with its refresh token), a code it has not
    exchanged yet, and alice's browser."""
    make_user("dev")
    client_id, secret = register_app(web_login("dev"))
    browser = web_login("alice")
    token = exchange(client_id, secret, authorize(browser, client_id, "basic")["code"]).json()
    code = authorize(browser, client_id, "basic")["code"]
    return {"client_id": client_id, "secret": secret, "token": token, "code": code,
            "browser": browser}  # fmt: skip


def assert_all_ended(app: dict) -> None:
    late = exchange(app["client_id"], app["secret"], app["code"])
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    refreshed = Client().post("/oauth/access_token", {
        "grant_type": "refresh_token", "refresh_token": app["token"]["refresh_token"],
        "client_id": app["client_id"], "client_secret": app["secret"]})  # fmt: skip
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert Api(Client(), app["token"]["access_token"]).get("/api/v1/users/self").status_code == 400
    ended = app["browser"].get("/oauth/authorized_tokens/")
    assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")


def test_a_password_change_ends_codes_refresh_tokens_tokens_and_sessions():
    _, alice = make_user("alice")
    app = an_app_acting_for_alice()
    changed = alice.post(
        "/api/v1/accounts/password", {"old_password": PASSWORD, "new_password": NEW}
    )
    assert changed.status_code == 200, changed.content
    assert_all_ended(app)


def test_a_reset_by_mail_ends_codes_refresh_tokens_tokens_and_sessions(mailoutbox):
    make_user("alice")
    app = an_app_acting_for_alice()
    browser = Client()
    assert browser.post("/accounts/reset/", {"email": "alice@example.com"}).status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert_all_ended(app)


def test_staff_change_their_password_where_everyone_does():
    """The admin's own password form would neither count guesses nor end the apps' tokens."""
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.force_login(root)
    answer = admin.post("/admin/password_change/", {"old_password": PASSWORD,
                        "new_password1": NEW, "new_password2": NEW})  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == "/settings/password/"
    assert User.objects.get(pk=root.pk).check_password(PASSWORD)


def test_a_reset_by_mail_lets_an_owner_locked_out_by_guesses_in(mailoutbox, settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, login_failures_per_hour=3)
    make_user("alice")
    for n in range(3):
        wrong = Client().post("/api/v1/accounts/login", {"username": "alice", "password": f"g{n}"})
        assert wrong.status_code == 400

    def log_in(password: str) -> int:
        answer = Client().post(
            "/api/v1/accounts/login", {"username": "alice", "password": password}
        )
        return answer.status_code

    assert log_in(PASSWORD) == 429  # someone else's guesses locked the owner out
    browser = Client()
    assert browser.post("/accounts/reset/", {"email": "alice@example.com"}).status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/accounts/reset/done/"
    assert log_in(NEW) == 200  # the reset the refusal points to lets the owner in at once
    for n in range(3):
        assert log_in(f"again {n}") == 400
    assert log_in(NEW) == 429  # and the new password is guarded as the old one was
