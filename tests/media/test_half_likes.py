"""A like spans the photo's shard (`likes`, the count) and the liker's (`user_likes`). The server
is killed with SIGKILL between the two: the relay, or the client's retry, finishes the liker's
side and the owner's event once, and the count stays the number of rows."""

from __future__ import annotations

import ssl

import httpx
import pytest

from filmroll.activity import events
from filmroll.media import cache, comments, likes
from filmroll.sharding import db, ids, outbox
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import kill_mid_request, live_filmroll
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "installed_for_servers"),
]


def like(base, cert, token, media_id) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/media/{media_id}/likes",
        headers={"Authorization": f"Bearer {token}"},
        verify=ssl.create_default_context(cafile=str(cert)),
        timeout=60,
    )


def like_rows(media_id: int) -> int:
    row = db.fetchone(
        ids.shard_of(media_id), "SELECT COUNT(*) FROM {likes} WHERE media_id = %s", [media_id]
    )
    return row[0] if row else 0


def like_events(owner_id: int, liker_id: int) -> int:
    return sum(
        1 for e in events.page(owner_id, None, 50) if e.kind == "like" and e.actor_id == liker_id
    )


@pytest.mark.parametrize("finish", ["relay", "retry"])
def test_a_like_killed_between_its_shards_is_finished_once(tmp_path, alice, bob, finish):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    media_id = int(upload(alice_api, jpeg_bytes()).json()["data"]["id"])
    run_tasks()
    assert cache.get_many([media_id])[media_id].likes == 0  # cached (memcached in a cluster)
    marker = tmp_path / "paused"
    with live_filmroll(tmp_path, FILMROLL_TEST_PAUSE=f"finish:{marker}") as (base, cert):
        kill_mid_request(marker, lambda: like(base, cert, bob_api.token, media_id))
        # half made: the photo's side and its count, not the liker's, no event yet
        assert like_rows(media_id) == 1
        assert likes.liked_page(bob_user, None, 10) == []
        assert like_events(alice_user.id, bob_user.id) == 0
        if finish == "retry":
            assert like(base, cert, bob_api.token, media_id).status_code == 200
    outbox.relay(grace_seconds=0)  # after a retry, the dead request's record finds nothing to do
    run_tasks()
    assert likes.liked_page(bob_user, None, 10) == [media_id]
    assert like_events(alice_user.id, bob_user.id) == 1
    assert like_rows(media_id) == 1
    assert cache.get_many([media_id])[media_id].likes == 1  # the count, not a stale copy
    got = bob_api.get(f"/api/v1/media/{media_id}").json()["data"]
    assert got["likes"]["count"] == 1 and got["user_has_liked"] is True
    assert outbox.waiting() == []


def test_likes_and_unlikes_settle_to_the_last_one(alice, bob):
    alice_user, alice_api = alice
    bob_user, _ = bob
    media_id = int(upload(alice_api, jpeg_bytes()).json()["data"]["id"])
    likes.like(bob_user, media_id)
    likes.unlike(bob_user, media_id)
    likes.settle(bob_user.id, media_id)  # a late settle of the like changes nothing now
    assert likes.liked_page(bob_user, None, 10) == []
    assert like_rows(media_id) == 0 == cache.get_many([media_id])[media_id].likes
    assert like_events(alice_user.id, bob_user.id) == 0
    likes.like(bob_user, media_id)
    likes.like(bob_user, media_id)  # twice is once
    assert likes.liked_page(bob_user, None, 10) == [media_id]
    assert like_rows(media_id) == 1 == cache.get_many([media_id])[media_id].likes
    assert like_events(alice_user.id, bob_user.id) == 1


def test_a_comments_mentions_are_told_once_however_often_its_record_runs(alice, bob):
    alice_user, alice_api = alice
    bob_user, _ = bob
    carol_user, _ = make_user("cyd")
    media_id = int(upload(alice_api, jpeg_bytes()).json()["data"]["id"])
    comment = comments.add(bob_user, media_id, "look @cyd")
    comments.tell_mentioned(media_id, comment.id)  # the relay running its record again
    told = [e for e in events.page(carol_user.id, None, 50) if e.kind == "mention"]
    assert [(e.actor_id, e.media_id) for e in told] == [(bob_user.id, media_id)]
    assert outbox.waiting() == []
    comments.delete(bob_user, media_id, comment.id)
    assert [e for e in events.page(carol_user.id, None, 50) if e.kind == "mention"] == []
    assert cache.get_many([media_id])[media_id].comments == 0
