"""Deleting an account: the request (password needed), the grace period (gone everywhere, and
back whole on logging in), the purge after it (nothing left on any shard, in storage, in any
feed, index or cache; the others' counts corrected), resumable, and the username kept."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from filmroll.accounts.models import Tombstone, User
from filmroll.files import storage
from filmroll.leaving import purge
from filmroll.push.models import Device
from filmroll.sharding import personal
from filmroll.sharing.models import Account
from tests.leaving import world
from tests.support.personas import PASSWORD, Api
from tests.support.tasks import run_tasks

# committed transactions: the discovery index is written by tasks in its own database
pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def delete(api: Api, password: str | None = PASSWORD):
    body = {} if password is None else {"password": password}
    return api.client.delete(
        "/api/v1/users/self", data=body, content_type="application/json", **api._headers()
    )


def visible_to_bo(w: world.World) -> dict[str, object]:
    """What bo sees of ana through the API, on every surface that shows people or photos."""
    api = w.bo_api
    feed = api.get("/api/v1/users/self/feed").json()["data"]
    tag = api.get("/api/v1/tags/leavingtest/media/recent").json()["data"]
    return {
        "profile": api.get(f"/api/v1/users/{w.ana.id}").json()["meta"].get("error_type", "ok"),
        "photo": api.get(f"/api/v1/media/{w.media[0]}").json()["meta"].get("error_type", "ok"),
        "feed": sorted(int(m["id"]) for m in feed if int(m["id"]) in w.media),
        "tag": sorted(int(m["id"]) for m in tag),
        "search": [u["username"] for u in api.get("/api/v1/users/search", q="ana").json()["data"]],
        "followers": [
            u["username"] for u in api.get("/api/v1/users/self/followed-by").json()["data"]
        ],
        "likers": [
            u["username"] for u in api.get(f"/api/v1/media/{w.bo_photo}/likes").json()["data"]
        ],
        "web profile": Client().get("/ana/").status_code,
    }


def test_it_asks_for_the_password_before_anything_goes():
    w = world.build()
    for password in ("not the password", None):
        answer = delete(w.ana_api, password)
        assert answer.status_code == 400, answer.content
        assert answer.json()["meta"]["error_type"] == "OAuthException"
    browser = Client()
    browser.force_login(w.ana)
    page = browser.post("/settings/delete/", {"password": "wrong"})
    assert page.status_code == 400 and b"incorrect" in page.content
    w.ana.refresh_from_db()
    assert w.ana.is_active and w.ana.delete_after is None
    assert w.ana_api.get("/api/v1/users/self").status_code == 200


def test_in_the_grace_period_the_account_is_gone_everywhere_and_logging_in_brings_it_back():
    w = world.build()
    before = visible_to_bo(w)
    assert before["profile"] == "ok" and before["feed"] == sorted(w.media)
    assert before["tag"] == sorted(w.media) and "ana" in before["search"]
    counted = world.counts_of(w.ana, w.bo, w.cy)

    answer = delete(w.ana_api)
    assert answer.status_code == 200, answer.content
    assert int(answer.json()["data"]["delete_after"]) > timezone.now().timestamp() + 29 * 86400
    run_tasks()
    assert w.ana_api.get("/api/v1/users/self").status_code == 400  # her tokens ended
    assert visible_to_bo(w) == {
        "profile": "APINotFoundError", "photo": "APINotFoundError", "feed": [], "tag": [], "search": [], "followers": [],
        "likers": [], "web profile": 404,
    }  # fmt: skip
    # nothing was removed: bo's and cy's counts stand, her photos' files are there
    assert world.counts_of(w.ana, w.bo, w.cy) == counted
    assert all(storage.exists(key) for key in w.files)

    signed_in = w.ana_api.client.post(
        "/api/v1/accounts/login", {"username": "ana", "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.content
    run_tasks()
    w.ana.refresh_from_db()
    assert w.ana.is_active and w.ana.delete_after is None
    assert visible_to_bo(w) == before
    assert world.counts_of(w.ana, w.bo, w.cy) == counted
    assert purge.purge_due() == []


def test_the_web_settings_delete_logs_out_and_the_web_log_in_restores():
    w = world.build()
    browser = Client()
    browser.force_login(w.ana)
    assert "/settings/delete/" in browser.get("/settings/").content.decode()
    page = browser.post("/settings/delete/", {"password": PASSWORD})
    assert page.status_code == 200 and b"log in before then" in page.content
    assert browser.get("/settings/").status_code == 302  # logged out
    w.ana.refresh_from_db()
    assert not w.ana.is_active and w.ana.delete_after is not None
    assert Client().get("/ana/").status_code == 404
    again = browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert again.status_code == 302
    assert browser.get("/settings/").status_code == 200
    assert Client().get("/ana/").status_code == 200


def test_after_the_grace_period_logging_in_does_not_restore():
    w = world.build()
    assert delete(w.ana_api).status_code == 200
    world.expire_grace(w.ana)
    answer = Client().post("/api/v1/accounts/login", {"username": "ana", "password": PASSWORD})
    assert answer.status_code == 400
    assert purge.purge_due() == [w.ana.id]


def assert_nothing_left(w: world.World, counted: dict) -> None:
    ana_id, media = w.ana.id, w.media
    assert not User.objects.filter(id=ana_id).exists()
    assert world.shard_rows_naming({ana_id, *media}) == {}
    assert world.index_rows(media, ana_id) == {}
    assert world.feed_entries(media) == []
    assert world.cached(ana_id, media) == []
    assert [key for key in w.files if storage.exists(key)] == []
    assert not Device.objects.filter(user_id=ana_id).exists()
    assert not Account.objects.filter(user_id=ana_id).exists()
    assert world.sessions_of(ana_id) == []  # no web session of hers on any device
    # the others' counts lose exactly her part
    after = world.counts_of(w.bo, w.cy)
    assert after["bo"] == {**counted["bo"], "follows": counted["bo"]["follows"] - 1,
                           "followed_by": counted["bo"]["followed_by"] - 1}  # fmt: skip
    assert after["cy"] == {**counted["cy"], "follows": counted["cy"]["follows"] - 1}
    bo_photo = w.bo_api.get(f"/api/v1/media/{w.bo_photo}").json()["data"]
    assert bo_photo["likes"]["count"] == 0 and bo_photo["comments"]["count"] == 0
    assert bo_photo["users_in_photo"] == []  # her tag went from his photo
    assert w.bo_api.get("/api/v1/users/self/media/saved").json()["data"] == []
    # bo's feed is whole without her, and his lists do not name her
    feed = w.bo_api.get("/api/v1/users/self/feed").json()["data"]
    assert [int(m["id"]) for m in feed] == [w.bo_photo]
    assert w.bo_api.get("/api/v1/users/self/followed-by").json()["data"] == []


def test_the_purge_leaves_nothing_anywhere():
    w = world.build()
    counted = world.counts_of(w.bo, w.cy)
    assert world.shard_rows_naming({w.ana.id}) != {}  # the scan sees her before
    for _ in range(2):  # signed in on the web on two devices
        Client().force_login(w.ana)
    assert len(world.sessions_of(w.ana.id)) == 2  # the scan sees her sessions
    assert delete(w.ana_api).status_code == 200
    run_tasks()
    Client().force_login(w.ana)  # a session the request did not see (a log-in racing it)
    world.expire_grace(w.ana)
    from filmroll.leaving import tasks

    tasks.purge_due()  # as the periodic task does: queues her purge
    run_tasks()
    assert_nothing_left(w, counted)


def test_the_username_is_kept_for_the_grace_period_after_the_purge():
    w = world.build()
    assert delete(w.ana_api).status_code == 200
    taken = Client().post("/api/v1/accounts/signup", {"username": "ana", "password": PASSWORD,
                                                       "email": "x@example.com"})  # fmt: skip
    assert taken.status_code == 409  # in the grace period too
    world.expire_grace(w.ana)
    assert purge.purge(w.ana.id)
    taken = Client().post("/api/v1/accounts/signup", {"username": "ana", "password": PASSWORD,
                                                       "email": "x@example.com"})  # fmt: skip
    assert taken.status_code == 409, taken.content
    assert Tombstone.objects.get(username="ana").until > timezone.now() + timezone.timedelta(
        days=29
    )
    Tombstone.objects.filter(username="ana").update(until=timezone.now())
    free = Client().post("/api/v1/accounts/signup", {"username": "ana", "password": PASSWORD,
                                                      "email": "x@example.com"})  # fmt: skip
    assert free.status_code == 201


def test_a_purge_stopped_between_steps_or_inside_one_finishes_when_run_again(monkeypatch):
    w = world.build()
    counted = world.counts_of(w.bo, w.cy)
    assert delete(w.ana_api).status_code == 200
    run_tasks()
    world.expire_grace(w.ana)
    # a step dying halfway through its batches (one row a batch): the batch in hand rolls back
    # with its count, the ones before it stay done
    monkeypatch.setattr(personal, "BATCH", 1)
    recount, calls = personal._recount, []

    def dies(*args) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("killed")
        recount(*args)

    monkeypatch.setattr(personal, "_recount", dies)
    with pytest.raises(RuntimeError):
        purge.purge(w.ana.id)
    monkeypatch.setattr(personal, "_recount", recount)
    assert calls and len(calls) == 2
    total = len(purge.steps(w.ana.id))
    # each step run alone, the purge started again from the top every time (as a killed task
    # queued again does): nothing is corrected twice
    for last in range(1, total, 3):
        assert purge.purge(w.ana.id, 0, last)
    assert purge.purge(w.ana.id)
    assert not purge.purge(w.ana.id)  # done: nothing more to do
    assert_nothing_left(w, counted)


def test_staff_see_accounts_waiting_for_deletion_in_the_admin():
    w = world.build()
    assert delete(w.ana_api).status_code == 200
    staff = User.objects.create_superuser("staff", "staff@example.com", PASSWORD)
    browser = Client()
    browser.force_login(staff)
    waiting = browser.get("/admin/accounts/user/", {"delete_after__isempty": "0"})
    assert waiting.status_code == 200
    listed = waiting.content.decode()
    assert ">ana<" in listed and ">bo<" not in listed
    page = browser.get(f"/admin/accounts/user/{w.ana.id}/change/").content.decode()
    assert "Delete after" in page


def test_with_a_second_factor_on_deleting_needs_its_code_too():
    import pyotp

    from tests.accounts.test_two_factor import next_code, turn_on

    w = world.build()
    secret, _ = turn_on(w.ana_api)

    def delete_with(code: str | None):
        body = {"password": PASSWORD} if code is None else {"password": PASSWORD, "code": code}
        return w.ana_api.client.delete(
            "/api/v1/users/self", data=body, content_type="application/json",
            **w.ana_api._headers(),
        )  # fmt: skip

    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    for code in (None, wrong):
        answer = delete_with(code)
        assert answer.status_code == 403, answer.content
        w.ana.refresh_from_db()
        assert w.ana.is_active and w.ana.delete_after is None
    # the web page asks for it too
    browser = Client()
    browser.force_login(w.ana)
    assert b'name="code"' in browser.get("/settings/delete/").content
    assert delete_with(next_code(secret)).status_code == 200
    w.ana.refresh_from_db()
    assert not w.ana.is_active and w.ana.delete_after is not None
