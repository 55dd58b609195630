"""Coming back within the grace period when the account has a second factor: the password alone
restores nothing (the account stays inactive, its purge due, its name kept) and gives no token
or session; only the whole log-in — the password and then the app's code, a recovery code or a
key — brings it back and logs in, on the API, on the web (and so before an app's consent page)
and in the admin's form. An account without a second factor still comes back at the password;
accounts inactive for any other reason (deactivated by staff, past the grace period) are refused
at the password as before, and a grace period that ends between the two steps ends the log-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from filmroll.accounts import leaving
from filmroll.accounts.models import User
from filmroll.leaving import purge
from tests.accounts.test_two_factor import LOGIN, SECOND, next_code, turn_on
from tests.api.test_oauth import REDIRECT, register_app, web_login
from tests.leaving import world
from tests.support.personas import PASSWORD, Api, make_user


def delete(api: Api, code: str | None = None):
    body = {"password": PASSWORD, **({"code": code} if code else {})}
    return api.client.delete(
        "/api/v1/users/self", data=body, content_type="application/json", **api._headers()
    )


def deleted_with_two_factor(username: str = "ana") -> tuple[User, str, list[str]]:
    """`username` with an authenticator app on, who asked to delete the account (with its
    last recovery code, so the app's next code is still unused): the user, the app's secret and
    the recovery codes left."""
    user, api = make_user(username)
    secret, codes = turn_on(api)
    answer = delete(api, codes.pop())
    assert answer.status_code == 200, answer.content
    assert_scheduled(user)
    return user, secret, codes


def assert_scheduled(user: User) -> None:
    """Still waiting for deletion: inactive, in the grace period, no token, the name kept."""
    user.refresh_from_db()
    assert not user.is_active
    assert user.delete_after is not None and user.delete_after > timezone.now()
    assert leaving.pending(user.username) == user
    assert not AccessToken.objects.filter(user=user).exists()
    taken = Client().post("/api/v1/accounts/signup", {"username": user.username,
                          "password": PASSWORD, "email": "x@example.com"})  # fmt: skip
    assert taken.status_code == 409


def assert_restored(user: User) -> None:
    user.refresh_from_db()
    assert user.is_active and user.delete_after is None
    assert leaving.pending(user.username) is None
    assert purge.purge_due() == []


def password_step(username: str = "ana", password: str = PASSWORD):
    return Client().post(LOGIN, {"username": username, "password": password})


def challenge_for(username: str = "ana") -> str:
    answer = password_step(username)
    assert answer.status_code == 200, answer.content
    data = answer.json()["data"]
    assert data["two_factor_required"] is True and "access_token" not in data
    return data["challenge"]


def second(challenge: str, code: str):
    return Client().post(SECOND, {"challenge": challenge, "code": code})


# --- the API --------------------------------------------------------------------------------


def test_api_the_password_alone_leaves_the_account_deleted():
    ana, secret, _ = deleted_with_two_factor()
    challenge = challenge_for()
    assert_scheduled(ana)
    # a wrong code, and no code, change nothing either
    wrong = "000000" if next_code(secret) != "000000" else "000001"
    assert second(challenge, wrong).status_code == 400
    assert Client().post(SECOND, {"challenge": challenge}).status_code == 400
    assert_scheduled(ana)
    # the purge still comes when the grace period ends
    world.expire_grace(ana)
    assert purge.purge_due() == [ana.id]


def test_api_the_password_and_the_app_s_code_bring_it_back_and_log_in():
    ana, secret, _ = deleted_with_two_factor()
    answer = second(challenge_for(), next_code(secret))
    assert answer.status_code == 200, answer.content
    assert_restored(ana)
    me = Api(Client(), answer.json()["data"]["access_token"]).get("/api/v1/users/self")
    assert me.status_code == 200 and me.json()["data"]["username"] == "ana"


def test_api_a_recovery_code_brings_it_back_too():
    ana, _, codes = deleted_with_two_factor()
    answer = second(challenge_for(), codes[0])
    assert answer.status_code == 200, answer.content
    assert_restored(ana)


def test_api_the_grace_period_ending_between_the_two_steps_ends_the_log_in():
    ana, secret, _ = deleted_with_two_factor()
    challenge = challenge_for()
    world.expire_grace(ana)
    answer = second(challenge, next_code(secret))
    assert answer.status_code == 400
    assert "expired" in answer.json()["meta"]["error_message"]
    ana.refresh_from_db()
    assert not ana.is_active and purge.purge_due() == [ana.id]
    assert not AccessToken.objects.filter(user=ana).exists()


# --- the web, and the OAuth consent page behind it ------------------------------------------


def test_web_the_password_alone_leaves_the_account_deleted_and_the_browser_logged_out():
    make_user("dev")
    client_id, _ = register_app(web_login("dev"))
    ana, secret, _ = deleted_with_two_factor()
    query = urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                       "scope": "basic", "state": "xyz"})  # fmt: skip
    browser = Client()
    answer = browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD,
                                               "next": f"/oauth/authorize/?{query}"})  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/two-factor/"
    assert_scheduled(ana)
    assert browser.get("/settings/").status_code == 302  # not logged in
    consent = browser.get(f"/oauth/authorize/?{query}")
    assert consent.status_code == 302 and consent["Location"].startswith("/accounts/login/")
    page = browser.get("/accounts/login/two-factor/")
    assert page.status_code == 200  # the second page is open to the account coming back
    wrong = browser.post("/accounts/login/two-factor/", {"code": "not a code"})
    assert wrong.status_code == 400
    assert_scheduled(ana)
    assert Client().get("/ana/").status_code == 404
    right = browser.post("/accounts/login/two-factor/", {"code": next_code(secret)})
    assert right.status_code == 302 and right["Location"] == f"/oauth/authorize/?{query}"
    assert_restored(ana)
    assert browser.get("/settings/").status_code == 200
    assert browser.get(f"/oauth/authorize/?{query}").status_code == 200  # the consent page
    assert Client().get("/ana/").status_code == 200


def test_web_a_recovery_code_brings_it_back_too():
    ana, _, codes = deleted_with_two_factor()
    browser = Client()
    browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert_scheduled(ana)
    assert browser.post("/accounts/login/two-factor/", {"code": codes[0]}).status_code == 302
    assert_restored(ana)
    assert browser.get("/settings/").status_code == 200


# --- without a second factor, and the accounts that may not come back -----------------------


def test_without_a_second_factor_the_password_still_brings_it_back():
    for username, log_in in (
        ("ana", lambda: password_step("ana").json()["data"]["access_token"]),
        ("bo", lambda: Client().post("/accounts/login/", {"username": "bo",
                                                          "password": PASSWORD})["Location"]),
    ):  # fmt: skip
        user, api = make_user(username)
        assert delete(api).status_code == 200
        assert_scheduled(user)
        assert log_in()
        assert_restored(user)


def test_accounts_inactive_for_other_reasons_are_refused_at_the_password():
    banned, banned_api = make_user("ana")
    turn_on(banned_api)
    User.objects.filter(id=banned.id).update(is_active=False)  # deactivated by staff
    late, _, _ = deleted_with_two_factor("bo")
    world.expire_grace(late)
    for username in ("ana", "bo"):
        answer = password_step(username)
        assert answer.status_code == 400, answer.content
        assert "challenge" not in answer.json().get("data", {})
        page = Client().post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert page.status_code == 400
    banned.refresh_from_db()
    late.refresh_from_db()
    assert not banned.is_active and banned.delete_after is None
    assert not late.is_active and purge.purge_due() == [late.id]


# --- the admin's log-in form ----------------------------------------------------------------


def test_the_admin_form_does_not_bring_back_a_two_factor_account_but_does_one_without():
    boss, _, _ = deleted_with_two_factor("boss")
    User.objects.filter(id=boss.id).update(is_staff=True, is_superuser=True)
    refused = Client().post("/admin/login/", {"username": "boss", "password": PASSWORD,
                                              "next": "/admin/"})  # fmt: skip
    assert refused.status_code == 200 and "two-factor log-in" in refused.content.decode()
    assert_scheduled(boss)
    chief, chief_api = make_user("chief")
    User.objects.filter(id=chief.id).update(is_staff=True, is_superuser=True)
    assert delete(chief_api).status_code == 200
    staff = Client()
    answer = staff.post("/admin/login/", {"username": "chief", "password": PASSWORD,
                                          "next": "/admin/"})  # fmt: skip
    assert answer.status_code == 302, answer.content
    assert_restored(chief)
    assert staff.get("/admin/").status_code == 200
