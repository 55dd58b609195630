"""Follow, requests, blocks and what each lets people see."""

import pytest

from filmroll.accounts import counts
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def act(api, user, action):
    return api.post(f"/api/v1/users/{user.id}/relationship", {"action": action})


def test_following_a_public_account(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    response = act(alice_api, bob_user, "follow")
    assert response.json()["data"] == {
        "outgoing_status": "follows",
        "incoming_status": "none",
        "target_user_is_private": False,
        "muted": False,
    }
    assert act(bob_api, alice_user, "follow").json()["data"]["incoming_status"] == "followed_by"
    assert counts.for_users([alice_user.id])[alice_user.id] == {
        "media": 0,
        "follows": 1,
        "followed_by": 1,
    }
    act(alice_api, bob_user, "follow")  # twice is once
    assert counts.for_users([bob_user.id])[bob_user.id]["followed_by"] == 1
    listed = alice_api.get(f"/api/v1/users/{bob_user.id}/followed-by").json()["data"]
    assert [u["username"] for u in listed] == ["alice"]
    act(alice_api, bob_user, "unfollow")
    assert counts.for_users([bob_user.id])[bob_user.id]["followed_by"] == 0
    assert (
        alice_api.get(f"/api/v1/users/{bob_user.id}/relationship").json()["data"]["outgoing_status"]
        == "none"
    )


def test_a_private_account_approves_or_ignores_requests(alice, carol):
    alice_user, alice_api = alice
    carol, carol_api = carol
    assert act(alice_api, carol, "follow").json()["data"]["outgoing_status"] == "requested"
    assert [
        u["username"] for u in carol_api.get("/api/v1/users/self/requested-by").json()["data"]
    ] == ["alice"]
    assert act(carol_api, alice_user, "approve").json()["data"]["incoming_status"] == "followed_by"
    assert carol_api.get("/api/v1/users/self/requested-by").json()["data"] == []
    eve, eve_api = make_user("eve")
    act(eve_api, carol, "follow")
    act(carol_api, eve, "ignore")
    assert (
        act(eve_api, carol, "follow").json()["data"]["outgoing_status"] == "requested"
    )  # may ask again
    assert act(carol_api, alice_user, "approve").status_code == 400  # no request pending


def test_private_lists_and_photos_are_for_approved_followers(alice, carol):
    _, alice_api = alice
    carol, carol_api = carol
    media = upload(carol_api, jpeg_bytes()).json()["data"]
    # v1's answers: a private account's lists are not allowed (its profile shows it exists),
    # a private photo is not found, exactly as a missing one
    for path in ("follows", "followed-by", "media/recent"):
        refused = alice_api.get(f"/api/v1/users/{carol.id}/{path}")
        assert refused.status_code == 400
        assert refused.json()["meta"]["error_type"] == "APINotAllowedError"
    assert alice_api.get(f"/api/v1/media/{media['id']}").json()["meta"]["error_type"] == (
        "APINotFoundError"
    )
    assert alice_api.get(f"/api/v1/users/{carol.id}").status_code == 200  # the profile itself shows


def test_a_block_hides_both_ways_and_ends_edges(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    act(alice_api, bob_user, "follow")
    act(bob_api, alice_user, "follow")
    bob_photo = upload(bob_api, jpeg_bytes()).json()["data"]
    alice_photo = upload(alice_api, jpeg_bytes()).json()["data"]
    assert act(alice_api, bob_user, "block").json()["data"]["incoming_status"] == "blocked_by_you"
    assert counts.for_users([alice_user.id])[alice_user.id]["follows"] == 0
    assert counts.for_users([bob_user.id])[bob_user.id]["follows"] == 0
    assert alice_api.get(f"/api/v1/media/{bob_photo['id']}").status_code == 400
    assert bob_api.get(f"/api/v1/media/{alice_photo['id']}").status_code == 400
    refused = act(bob_api, alice_user, "follow")  # what her lists answer him: no more
    assert refused.status_code == 400
    assert refused.json()["meta"]["error_type"] == "APINotAllowedError"
    assert counts.for_users([bob_user.id])[bob_user.id]["follows"] == 0
    act(alice_api, bob_user, "unblock")
    assert alice_api.get(f"/api/v1/media/{bob_photo['id']}").status_code == 200
    run_tasks()


def test_bad_relationship_requests(alice, bob):
    alice_user, alice_api = alice
    bob_user, _ = bob
    assert act(alice_api, bob_user, "befriend").status_code == 400
    assert act(alice_api, alice_user, "follow").status_code == 400
    assert alice_api.post("/api/v1/users/12345/relationship", {"action": "follow"}).json()[
        "meta"
    ] == {"code": 400, "error_type": "APINotFoundError", "error_message": "no such user"}
