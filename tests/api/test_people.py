"""Finding people through the API: suggestions (ranked by mutual follows, then popular accounts
near your photos' places; every exclusion; dismissing) and contact matching by hashed e-mail
addresses (blocks both ways, the caps, nothing raw stored or logged)."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.db import connections
from django.test import Client

from filmroll.accounts import emailkeys, tokens
from filmroll.accounts.models import User
from filmroll.discovery import contacts
from filmroll.graph import relationships
from filmroll.sharding import db, schema, shardmap
from tests.support.images import png_bytes, upload
from tests.support.personas import Api, make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def follow(who: User, whom: User) -> None:
    """`who` follows `whom` (a private account approves at once)."""
    relationships.follow(who, whom)
    if whom.is_private:
        relationships.approve(whom, who)


def suggested(api, **params) -> list[dict]:
    answer = api.get("/api/v1/users/self/suggested", **params)
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]


def names(found: list[dict]) -> list[str]:
    return [u["username"] for u in found]


def test_friends_of_friends_are_ranked_by_mutual_follows_and_each_exclusion_holds():
    me, api = make_user("vi")
    friends = [make_user(f"friend{i}")[0] for i in range(3)]
    for friend in friends:
        follow(me, friend)
    people = {name: make_user(name, private=name in ("priv", "asked"))[0]
              for name in ("top", "mid", "low", "priv", "blocked", "blocker", "asked", "known",
                           "gone", "dismissed")}  # fmt: skip
    followed_by = {"top": 3, "mid": 2, "low": 1, "priv": 2, "blocked": 3, "blocker": 3,
                   "asked": 3, "known": 3, "gone": 3, "dismissed": 3}  # fmt: skip
    for name, n in followed_by.items():
        for friend in friends[:n]:
            follow(friend, people[name])
    # the private account posts: suggested as a person, its photo never shown
    upload(Api(Client(), tokens.issue(people["priv"])), png_bytes(), caption="a private caption")
    follow(friends[0], me)  # never yourself
    relationships.block(me, people["blocked"])
    relationships.block(people["blocker"], me)
    relationships.follow(me, people["asked"])  # a request: the account is private
    follow(me, people["known"])
    User.objects.filter(id=people["gone"].id).update(is_active=False)
    assert (
        api.post(f"/api/v1/users/self/suggested/{people['dismissed'].id}/dismiss").status_code
        == 200
    )

    found = suggested(api)
    mutual = [u for u in found if u["reason"] == "mutual"]
    # priv and mid tie on mutual follows and followers; the newer account goes first
    assert names(mutual) == ["top", "priv", "mid", "low"]
    assert [u["mutual_count"] for u in mutual] == [3, 2, 2, 1]
    shown = set(names(found))
    assert not shown & {"vi", "blocked", "blocker", "asked", "known", "gone", "dismissed",
                        "friend0", "friend1", "friend2"}  # fmt: skip
    assert b"a private caption" not in api.get("/api/v1/users/self/suggested").content
    priv = next(u for u in found if u["username"] == "priv")
    assert priv["is_private"] is True and set(priv) == {
        "id", "username", "full_name", "profile_picture", "bio", "website", "is_private",
        "counts", "mutual_count", "reason"}  # fmt: skip
    # count bounds the page
    assert len(suggested(api, count=2)) == 2
    assert api.get("/api/v1/users/self/suggested", count="x").status_code == 400


def test_ties_go_to_the_account_with_more_followers():
    me, api = make_user("vi")
    friend = make_user("friend")[0]
    follow(me, friend)
    quiet, loud = make_user("quiet")[0], make_user("loud")[0]
    follow(friend, quiet)
    follow(friend, loud)
    for i in range(2):
        follow(make_user(f"fan{i}")[0], loud)
    assert names(suggested(api))[:2] == ["loud", "quiet"]


def test_popular_accounts_near_your_photos_places_are_suggested():
    me, api = make_user("vi")
    assert upload(api, png_bytes(), lat="64.1500", lng="-21.9400").status_code == 201
    local, local_api = make_user("local")
    famous, famous_api = make_user("famous")
    far, far_api = make_user("far")
    hidden, hidden_api = make_user("hidden", private=True)
    upload(local_api, png_bytes(), lat="64.1510", lng="-21.9410")
    upload(famous_api, png_bytes(), lat="64.1400", lng="-21.9300")
    upload(far_api, png_bytes(), lat="48.8566", lng="2.3522")
    upload(hidden_api, png_bytes(), lat="64.1500", lng="-21.9400")  # private: not in the index
    for i in range(3):
        follow(make_user(f"fan{i}")[0], famous)
    run_tasks()
    found = [u for u in suggested(api) if u["reason"] == "nearby"]
    assert names(found) == ["famous", "local"]
    assert all(u["mutual_count"] == 0 for u in found)


def test_a_new_account_gets_popular_people_and_the_newest_accounts():
    make_user("early")
    me, api = make_user("vi")
    found = suggested(api)
    assert "early" in names(found) and "vi" not in names(found)
    assert {u["reason"] for u in found} == {"popular"}


def test_dismissing_a_suggestion_by_post_or_delete():
    me, api = make_user("vi")
    friend = make_user("friend")[0]
    follow(me, friend)
    one, two = make_user("one")[0], make_user("two")[0]
    follow(friend, one)
    follow(friend, two)
    assert {"one", "two"} <= set(names(suggested(api)))
    assert api.post(f"/api/v1/users/self/suggested/{one.id}/dismiss").status_code == 200
    assert api.post(f"/api/v1/users/self/suggested/{one.id}/dismiss").status_code == 200  # again
    gone = api.client.delete(f"/api/v1/users/self/suggested/{two.id}",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")  # fmt: skip
    assert gone.status_code == 200
    assert not {"one", "two"} & set(names(suggested(api)))
    missing = api.post("/api/v1/users/self/suggested/99999/dismiss")
    assert missing.json()["meta"]["error_type"] == "APINotFoundError"  # v1 answers it with 400
    # stored for the dismisser only: another follower of the friend still sees them
    other, other_api = make_user("other")
    follow(other, friend)
    assert {"one", "two"} <= set(names(suggested(other_api)))


# --- contact matching ---------------------------------------------------------------------


def sha(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def match(api, hashes) -> object:
    return api.post_json("/api/v1/users/self/contacts/match", {"hashes": hashes})


def test_contacts_match_by_hashed_address_less_blocks_both_ways():
    me, api = make_user("vi")
    ana = make_user("ana")[0]
    blocked, blocker = make_user("blocked")[0], make_user("blocker")[0]
    gone = make_user("gone")[0]
    User.objects.filter(id=gone.id).update(is_active=False)
    relationships.block(me, blocked)
    relationships.block(blocker, me)
    hashes = [sha("  ANA@Example.com "), sha("blocked@example.com"), sha("blocker@example.com"),
              sha("gone@example.com"), sha("vi@example.com"), sha("nobody@example.org")]  # fmt: skip
    answer = match(api, [h.upper() if i == 0 else h for i, h in enumerate(hashes)])
    assert answer.status_code == 200, answer.content
    assert names(answer.json()["data"]) == ["ana"]
    assert answer.json()["data"][0]["id"] == str(ana.id)


@pytest.mark.parametrize(
    "body, why",
    [({"hashes": "abc"}, "must be a JSON list"), ({"hashes": ["nothex"]}, "64 hexadecimal"),
     ({"hashes": [1]}, "64 hexadecimal"), ({}, "must be a JSON list"),
     ({"hashes": [sha(f"{i}@x.example") for i in range(501)]}, "at most 500")],
)  # fmt: skip
def test_bad_hash_lists_are_a_400(body, why):
    _, api = make_user("vi")
    answer = api.post_json("/api/v1/users/self/contacts/match", body)
    assert answer.status_code == 400 and why in answer.json()["meta"]["error_message"]


def test_a_user_matches_at_most_2000_hashes_a_day_then_429():
    _, api = make_user("vi")
    make_user("ana")
    for batch in range(4):
        hashes = [sha(f"{batch}-{i}@guess.example") for i in range(contacts.PER_REQUEST)]
        assert match(api, hashes).status_code == 200
    over = match(api, [sha("ana@example.com")])
    assert over.status_code == 429
    assert over.json()["meta"]["error_type"] == "OAuthRateLimitException"
    assert "2000 hashes a day" in over.json()["meta"]["error_message"]
    # the budget is the user's: someone else still matches
    _, other = make_user("other")
    assert names(match(other, [sha("ana@example.com")]).json()["data"]) == ["ana"]


def test_the_index_follows_address_changes_and_is_filled_for_existing_users():
    _, api = make_user("vi")
    ana = make_user("ana")[0]
    ana.email = "Ana.New@Example.com"
    ana.save(update_fields=["email"])
    assert match(api, [sha("ana@example.com")]).json()["data"] == []
    assert names(match(api, [sha("ana.new@example.com")]).json()["data"]) == ["ana"]
    # users from before the column (or after SECRET_KEY changed): rekey fills it again
    User.objects.update(email_key="")
    assert match(api, [sha("ana.new@example.com")]).json()["data"] == []
    assert emailkeys.rekey(User) == User.objects.count()
    assert names(match(api, [sha("ana.new@example.com")]).json()["data"]) == ["ana"]


def _everything_stored() -> str:
    """Every row of every table of every database, as text."""
    seen: list[str] = []
    for alias in ("default", "index"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for name in connection.introspection.table_names(cursor):
                if name.startswith(("media_geo", "places_geo")):  # R*Tree shadow tables
                    continue
                cursor.execute(f'SELECT * FROM "{name}"')
                seen += [repr(row) for row in cursor.fetchall()]
    for shard in range(shardmap.logical_count()):
        for name in schema.tables():
            seen += [repr(row) for row in db.fetchall(shard, f"SELECT * FROM {{{name}}}")]
    return "\n".join(seen)


def test_no_address_nor_its_plain_hash_is_stored_or_logged(caplog):
    caplog.set_level(logging.DEBUG)
    _, api = make_user("vi")
    make_user("ana")
    contact = "someone.else@contacts.example"
    answer = match(api, [sha(contact), sha("ana@example.com")])
    assert names(answer.json()["data"]) == ["ana"]
    stored = _everything_stored()
    assert "ana@example.com" in stored  # the user's own address, in the users table: checked
    for secret in (contact, sha(contact), sha("ana@example.com")):
        assert secret not in stored, secret
        assert secret not in caplog.text, secret
    # what is stored for ana is the keyed value, which no dictionary of hashes gives
    ana = User.objects.get(username="ana")
    assert ana.email_key == emailkeys.keyed(sha("ana@example.com")) != sha("ana@example.com")
