"""A follow or block spans two shards, which share no transaction. The process serving it is
killed with SIGKILL between them (a real `filmroll serve` worker, paused at a fault point): the
follower's side stands with its outbox record, and the relay, or the client's retry, finishes
the other side exactly once, with its event and its feed work."""

from __future__ import annotations

import ssl

import httpx
import pytest

from filmroll.accounts import counts
from filmroll.activity import events
from filmroll.graph import edges
from filmroll.sharding import outbox
from tests.support.images import jpeg_bytes, upload
from tests.support.servers import kill_mid_request, live_filmroll
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "installed_for_servers"),
]


def follow(base, cert, token, target_id, action="follow") -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/users/{target_id}/relationship",
        data={"action": action},
        headers={"Authorization": f"Bearer {token}"},
        verify=ssl.create_default_context(cafile=str(cert)),
        timeout=60,
    )


def follow_events(user_id: int, actor_id: int) -> int:
    return sum(
        1 for e in events.page(user_id, None, 50) if e.kind == "follow" and e.actor_id == actor_id
    )


def killed_follow(tmp_path, alice, bob):
    """Bob follows alice through a server killed between the two shards' transactions."""
    _, bob_api = bob
    marker = tmp_path / "paused"
    server = live_filmroll(tmp_path, FILMROLL_TEST_PAUSE=f"finish:{marker}")
    base, cert = server.__enter__()
    kill_mid_request(marker, lambda: follow(base, cert, bob_api.token, alice[0].id))
    return server, base, cert


def assert_half_made(alice_user, bob_user):
    assert edges.follows(bob_user.id, alice_user.id)  # the follower's side committed
    assert edges.page("followers", alice_user.id, None, 10) == []  # the other never came
    assert counts.for_users([alice_user.id])[alice_user.id]["followed_by"] == 0
    assert ("graph.settle_follow", [bob_user.id, alice_user.id]) in [
        (name, args) for _, _, name, args in outbox.waiting()
    ]


def assert_whole(alice_user, bob_user):
    assert edges.page("followers", alice_user.id, None, 10) == [bob_user.id]
    assert counts.for_users([alice_user.id])[alice_user.id]["followed_by"] == 1
    assert counts.for_users([bob_user.id])[bob_user.id]["follows"] == 1
    assert follow_events(alice_user.id, bob_user.id) == 1


def test_a_follow_killed_between_its_shards_is_finished_by_the_outbox_relay(tmp_path, alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    photo = upload(alice_api, jpeg_bytes()).json()["data"]["id"]
    run_tasks()
    server, _, _ = killed_follow(tmp_path, alice, bob)
    server.__exit__(None, None, None)
    assert_half_made(alice_user, bob_user)

    assert outbox.relay(grace_seconds=0) >= 1
    run_tasks()
    assert_whole(alice_user, bob_user)
    assert outbox.waiting() == []
    # the backfill the follow queues ran: alice's earlier photo is in bob's feed
    assert [m["id"] for m in bob_api.get("/api/v1/users/self/feed").json()["data"]] == [photo]


def test_a_retried_follow_repairs_the_half_a_killed_request_left(tmp_path, alice, bob):
    alice_user, _ = alice
    bob_user, bob_api = bob
    server, base, cert = killed_follow(tmp_path, alice, bob)
    try:
        assert_half_made(alice_user, bob_user)
        retried = follow(base, cert, bob_api.token, alice_user.id)  # the restarted worker
        assert retried.status_code == 200
        assert retried.json()["data"]["outgoing_status"] == "follows"
    finally:
        server.__exit__(None, None, None)
    assert_whole(alice_user, bob_user)
    # the dead request's record still runs later: it finds nothing left to do, and does nothing twice
    outbox.relay(grace_seconds=0)
    run_tasks()
    assert_whole(alice_user, bob_user)
    assert outbox.waiting() == []


def test_an_unfollow_killed_midway_is_finished_by_the_relay(alice, bob):
    alice_user, _ = alice
    bob_user, _ = bob
    edges.add(bob_user.id, alice_user.id)
    # the first transaction of an unfollow, as a process that died right after it left it
    shard = edges.ids.shard_of(bob_user.id)
    with edges.db.atomic(shard):
        edges.db.execute(
            shard,
            "DELETE FROM {following} WHERE user_id = %s AND target_id = %s",
            [bob_user.id, alice_user.id],
        )
        counts.bump(bob_user.id, "follows", -1)
        outbox.remember(shard, edges.SETTLE_FOLLOW, bob_user.id, alice_user.id)
    assert edges.page("followers", alice_user.id, None, 10) == [bob_user.id]
    outbox.relay(grace_seconds=0)
    run_tasks()
    assert edges.page("followers", alice_user.id, None, 10) == []
    assert counts.for_users([alice_user.id])[alice_user.id]["followed_by"] == 0


def test_a_block_killed_midway_is_finished_by_the_relay(tmp_path, alice, bob):
    """Alice blocks bob, who follows her: the server dies after the block's first row."""
    alice_user, alice_api = alice
    bob_user, _ = bob
    edges.add(bob_user.id, alice_user.id)
    marker = tmp_path / "paused"
    with live_filmroll(tmp_path, FILMROLL_TEST_PAUSE=f"finish:{marker}") as (base, cert):
        kill_mid_request(
            marker, lambda: follow(base, cert, alice_api.token, bob_user.id, action="block")
        )
    assert edges.blocked(alice_user.id, bob_user.id)
    assert not edges.blocked_between(bob_user.id, [alice_user.id])  # bob's side: not yet
    assert edges.follows(bob_user.id, alice_user.id)
    outbox.relay(grace_seconds=0)
    run_tasks()
    assert edges.blocked_between(bob_user.id, [alice_user.id]) == {alice_user.id}
    assert not edges.follows(bob_user.id, alice_user.id)
    assert edges.page("followers", alice_user.id, None, 10) == []
    assert counts.for_users([alice_user.id])[alice_user.id]["followed_by"] == 0
    assert outbox.waiting() == []
