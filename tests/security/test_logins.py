"""Password guessing: every door that checks a password (the API's log-in, the web's, the
admin's, the OAuth token endpoint, the current password when changing it) shares one count per
account and one per client address, and an account past its limit gets no token or session
through any of them."""

from __future__ import annotations

from django.test import Client
from oauth2_provider.models import AccessToken

from filmroll.accounts.models import User
from tests.api.test_oauth import web_login
from tests.security.conftest import password_grant, register_password_app
from tests.support.personas import PASSWORD, Api, make_user

LOGIN = "/api/v1/accounts/login"


def api_login(username: str, password: str, ip: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def admin_login(username: str, password: str, **client: str) -> tuple[Client, object]:
    browser = Client(**client)
    answer = browser.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )
    return browser, answer


def test_the_password_grant_is_refused_to_an_app_anyone_registers_and_counted(limits):
    limits(login_failures_per_hour=3)
    alice, _ = make_user("alice")
    make_user("mallory")
    client_id = register_password_app(web_login("mallory"))
    tokens_before = AccessToken.objects.filter(user=alice).count()  # the one make_user issued
    # The right password gets no token, and neither door of the token endpoint reads it.
    for path, password in (("/oauth/token/", "guess one"), ("/oauth/access_token", PASSWORD),
                           ("/oauth/token/", PASSWORD)):  # fmt: skip
        answer = password_grant(client_id, "alice", password, path)
        assert answer.status_code == 400, answer.content
        assert answer.json()["error"] == "unauthorized_client"
    assert AccessToken.objects.filter(user=alice).count() == tokens_before
    # Each try counted as a failure against the account: its budget is spent everywhere.
    locked = api_login("alice", PASSWORD)
    assert locked.status_code == 429
    assert "failed log-ins" in locked.json()["meta"]["error_message"]


def test_password_grant_tries_count_against_the_client_address(limits):
    limits(login_attempts_ip_per_hour=3)
    make_user("alice")
    make_user("mallory")
    client_id = register_password_app(web_login("mallory"))
    for name in ("bob", "carol", "dave"):  # a different account each time
        password_grant(client_id, name, "guess", REMOTE_ADDR="198.51.100.20")
    assert api_login("alice", PASSWORD, ip="198.51.100.20").status_code == 429
    assert api_login("alice", PASSWORD, ip="198.51.100.21").status_code == 200


def test_admin_log_in_is_limited_per_account(limits):
    limits(login_failures_per_hour=3)
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    for n in range(3):
        browser, answer = admin_login("root", f"guess {n}", REMOTE_ADDR=f"203.0.113.{n}")
        assert answer.status_code == 200 and "_auth_user_id" not in browser.session
    browser, answer = admin_login("root", PASSWORD, REMOTE_ADDR="203.0.113.99")
    assert answer.status_code == 200 and "_auth_user_id" not in browser.session
    assert "too many failed log-ins" in answer.content.decode()
    # The admin's failures are the account's: the API refuses the right password too.
    assert api_login("root", PASSWORD).status_code == 429


def test_admin_log_in_is_limited_per_client_behind_a_trusted_proxy(limits):
    limits(login_attempts_ip_per_hour=2, trusted_proxies=("10.0.0.0/8",))
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for name in ("ann", "ben"):  # guessing other names, from one client behind the balancer
        admin_login(name, "guess", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1", **via_proxy)
    browser, answer = admin_login(
        "root", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1", **via_proxy
    )
    assert "_auth_user_id" not in browser.session
    assert "too many log-in and sign-up attempts from your address" in answer.content.decode()
    # Another client behind the same balancer has its own budget.
    browser, answer = admin_login(
        "root", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy
    )
    assert answer.status_code == 302 and browser.session["_auth_user_id"]


def test_a_locked_account_gets_no_token_or_session_through_any_door(limits):
    limits(login_failures_per_hour=6)
    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    make_user("mallory")
    client_id = register_password_app(web_login("mallory"))
    # Wrong guesses spread over every door, from different addresses.
    assert api_login("alice", "guess 1", ip="203.0.113.1").status_code == 400
    assert (
        Client(REMOTE_ADDR="203.0.113.2")
        .post("/accounts/login/", {"username": "alice", "password": "guess 2"})
        .status_code
        == 400
    )
    for n in (3, 4):
        admin_login("alice", f"guess {n}", REMOTE_ADDR=f"203.0.113.{n}")
    for n in (5, 6):
        password_grant(client_id, "alice", f"guess {n}", REMOTE_ADDR=f"203.0.113.{n}")
    tokens_before = AccessToken.objects.filter(user=alice).count()

    assert api_login("alice", PASSWORD).status_code == 429
    web = Client()
    assert (
        web.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 429
    )
    assert "_auth_user_id" not in web.session
    browser, answer = admin_login("alice", PASSWORD)
    assert "_auth_user_id" not in browser.session and "too many" in answer.content.decode()
    assert password_grant(client_id, "alice", PASSWORD).status_code == 400
    assert AccessToken.objects.filter(user=alice).count() == tokens_before


def test_one_account_one_count_however_its_name_is_written(limits):
    limits(login_failures_per_hour=3)
    make_user("alice")
    for name in ("ALICE", " alice ", "ａｌｉｃｅ"):  # the database lookup finds alice for each
        assert api_login(name, "guess").status_code == 400
    assert api_login("alice", PASSWORD).status_code == 429


def test_a_right_password_does_not_spend_the_accounts_budget(limits):
    limits(login_failures_per_hour=2)
    make_user("alice")
    for _ in range(5):
        assert api_login("alice", PASSWORD).status_code == 200
    assert api_login("alice", "guess").status_code == 400
    assert api_login("alice", PASSWORD).status_code == 200


def test_the_current_password_cannot_be_guessed_with_a_stolen_token(limits):
    limits(login_failures_per_hour=3)
    _, alice = make_user("alice")
    change = "/api/v1/accounts/password"
    for n in range(3):
        wrong = alice.post(
            change, {"old_password": f"guess {n}", "new_password": "a new long phrase"}
        )
        assert wrong.status_code == 400
    right = alice.post(change, {"old_password": PASSWORD, "new_password": "a new long phrase"})
    assert right.status_code == 429
    assert User.objects.get(username="alice").check_password(PASSWORD)
    # The web settings page checks it through the same count.
    browser = Client()
    browser.force_login(User.objects.get(username="alice"))
    page = browser.post(
        "/settings/password/", {"old_password": PASSWORD, "new_password": "a new long phrase"}
    )
    assert page.status_code == 429
    assert Api(Client(), alice.token).get("/api/v1/users/self").status_code == 200
