"""A Celery worker killed in the middle of a fan-out: RabbitMQ hands its unacknowledged task to
the restarted worker, and every follower gets the post exactly once."""

from __future__ import annotations

import random
import struct
import time

import redis

from tests.cluster.conftest import Cluster, eventually, post_photo

FOLLOWERS = 60_000

# Followers made straight in the author's shard (the fan-out reads only that table), each with a
# feed in Redis holding one older post, so fan-out delivers to every one of them.
MAKE_FOLLOWERS = """
import json
from filmroll.feeds.store import store
from filmroll.sharding import db, ids
author = {author}
start_ms = ids.EPOCH_MS + 1_000_000
followers = [ids.make_id(start_ms + n, n % 8, n) for n in range({count})]
shard = ids.shard_of(author)
for start in range(0, len(followers), 5000):
    part = followers[start:start + 5000]
    marks = ", ".join(["(%s, %s, 0)"] * len(part))
    db.execute(shard, "INSERT INTO {{followers}} (user_id, follower_id, created_ms) VALUES " + marks,
               [v for f in part for v in (author, f)])
feeds = store()
for node, client in enumerate(feeds.clients):
    with client.pipeline(transaction=False) as pipe:
        for f in followers:
            if feeds.node(f) == node:
                pipe.set(feeds.key(f), (1).to_bytes(8, "big"))
        pipe.execute()
print(json.dumps([str(f) for f in followers]))
"""


def _holding(clients: list[redis.Redis], node_of, followers: list[int], media_id: int) -> list[int]:
    """How many times each follower's feed holds `media_id` (feeds are 8-byte IDs, newest first)."""
    pipes = [client.pipeline(transaction=False) for client in clients]
    for follower in followers:
        pipes[node_of(follower)].get(f"feed:{follower}")
    replies = [iter(pipe.execute()) for pipe in pipes]
    counts = []
    for follower in followers:
        data = next(replies[node_of(follower)]) or b""
        counts.append(struct.unpack(f">{len(data) // 8}q", data).count(media_id))
    return counts


def test_a_worker_killed_mid_fan_out_delivers_every_post_exactly_once(cluster: Cluster) -> None:
    author = cluster.sign_up("wcelebrity")
    followers = [
        int(f) for f in cluster.python(MAKE_FOLLOWERS.format(author=author["id"], count=FOLLOWERS))
    ]
    clients = [redis.Redis(port=cluster.where.port(f"redis_feeds{n}")) for n in (0, 1)]

    def node_of(user_id: int) -> int:  # as filmroll.feeds.store.RedisStore.node
        return (user_id ^ (user_id >> 23)) % 2

    sample = random.Random(7).sample(followers, 400)
    media_id = int(post_photo(cluster, "wcelebrity"))
    # kill the fan-out worker once some feeds have the post and others not yet
    eventually(lambda: any(_holding(clients, node_of, sample, media_id)), what="fan-out starting")
    partial = _holding(clients, node_of, sample, media_id)
    cluster.kill("worker_fanout")
    assert not all(partial), "the fan-out finished before the worker was killed"
    eventually(
        lambda: all(_holding(clients, node_of, sample, media_id)), timeout=180, what="fan-out"
    )
    time.sleep(1)  # any redelivered task runs again; none may add a second copy
    assert set(_holding(clients, node_of, followers, media_id)) == {1}
