"""Activity never carries someone in a block, a photo the reader may not see, or a deleted
comment's text: on the API, on the web page, in the badge and in pushes alike."""

from __future__ import annotations

import pytest
from django.test import Client

from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.feeds import activity
from filmroll.moderation import actions
from filmroll.push import notify
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [  # committed transactions, so that queued tasks run
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def _relate(api, user: User, action: str) -> None:
    assert api.post(f"/api/v1/users/{user.id}/relationship", {"action": action}).status_code == 200


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_texts(api) -> list[str]:
    return [item["text"] for item in api.get("/api/v1/users/self/activity").json()["data"]]


def _stored(user: User) -> list[events.Event]:
    return events.page(user.id, None, 100)


def test_a_mention_does_not_reach_someone_in_a_block(alice, bob, dan):
    """alice blocked dan; dan mentions her on bob's photo: nothing reaches alice, anywhere."""
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    dan_user, dan_api = dan
    media = upload(bob_api, jpeg_bytes()).json()["data"]
    dan_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "look @alice"})
    eve, eve_api = make_user("eve")
    eve_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "and you @alice"})
    run_tasks()
    assert [e.actor_id for e in _stored(alice_user)] == [eve.id]  # eve's mention only
    assert activity.unread(alice_user.id) == 1
    # and the other way round: alice, the blocker, cannot mention dan either
    alice_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "hi @dan"})
    assert _stored(dan_user) == []


def test_a_block_takes_back_what_the_other_did(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    _relate(bob_api, alice_user, "follow")
    bob_api.post(f"/api/v1/media/{media['id']}/likes")
    bob_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "secret words"})
    run_tasks()
    assert activity.unread(alice_user.id) == 3
    _relate(alice_api, bob_user, "block")
    assert _stored(alice_user) == [] and activity.unread(alice_user.id) == 0
    assert _api_texts(alice_api) == []
    page = _web(alice_user).get("/activity/").content.decode()
    assert "secret words" not in page and "bob" not in page


def test_a_mention_on_a_photo_gone_private_is_not_shown(alice, bob):
    """bob was mentioned on alice's photo; alice goes private (bob does not follow her): the
    web page, the API, the badge and a push all leave the comment's text out."""
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    cy, cy_api = make_user("cy")
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    cy_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "private words @bob"})
    (event,) = _stored(bob_user)
    assert activity.unread(bob_user.id) == 1
    alice_api.post("/api/v1/users/self", {"is_private": "true"})
    assert User.objects.get(id=alice_user.id).is_private
    assert activity.unread(bob_user.id) == 0
    assert _api_texts(bob_api) == []
    assert "private words" not in _web(bob_user).get("/activity/").content.decode()
    assert not activity.shown(bob_user.id, event)
    assert notify.deliver(bob_user.id, event.id) == 0


def test_a_deleted_comment_leaves_no_text_behind(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    cy, _ = make_user("cy")
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    path = f"/api/v1/media/{media['id']}/comments"
    kept = bob_api.post(path, {"text": "this stays @cy"}).json()["data"]
    gone = bob_api.post(path, {"text": "regrettable words @cy"}).json()["data"]
    assert len(_stored(alice_user)) == 2 and len(_stored(cy)) == 2
    assert (
        bob_api.client.delete(
            f"{path}/{gone['id']}", HTTP_AUTHORIZATION=f"Bearer {bob_api.token}"
        ).status_code
        == 200
    )
    for user in (alice_user, cy):
        assert [e.text for e in _stored(user)] == ["this stays @cy"]
    # staff removing a comment does the same
    actions.remove_comment(int(media["id"]), int(kept["id"]))
    assert _stored(alice_user) == [] and _stored(cy) == []


def test_a_deleted_photo_leaves_no_activity(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    cy, _ = make_user("cy")
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    bob_api.post(f"/api/v1/media/{media['id']}/likes")
    bob_api.post(f"/api/v1/media/{media['id']}/comments", {"text": "words @cy"})
    assert len(_stored(alice_user)) == 2 and len(_stored(cy)) == 1
    actions.remove_photo(int(media["id"]))  # staff, as the owner deleting it
    run_tasks()
    assert _stored(alice_user) == [] and _stored(cy) == []
