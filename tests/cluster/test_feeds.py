"""The feeds Redis is a cache of what PostgreSQL knows: wiped and restarted, feeds come back whole."""

from __future__ import annotations

import redis

from tests.cluster.conftest import Cluster, eventually, feed_ids, post_photo


def test_feeds_come_back_complete_after_the_feeds_redis_is_flushed_and_restarted(
    cluster: Cluster,
) -> None:
    for name in ("fdora", "feli", "ffay"):
        cluster.sign_up(name)
    for author in ("feli", "ffay"):
        with cluster.client("fdora") as http:
            http.post(
                f"/api/v1/users/{cluster.users[author]['id']}/relationship",
                data={"action": "follow"},
            ).raise_for_status()
    assert feed_ids(cluster, "fdora") == []  # the feed exists now: fan-out adds to it
    posted = [post_photo(cluster, "feli"), post_photo(cluster, "ffay"), post_photo(cluster, "feli")]
    expected = sorted(posted, key=int, reverse=True)
    eventually(lambda: feed_ids(cluster, "fdora") == expected, what="fan-out to fdora")

    for node in ("feeds0", "feeds1"):
        redis.Redis(port=cluster.where.port(f"redis_{node}")).flushall()
        cluster.stop(f"redis_{node}")
        cluster.start(f"redis_{node}")
    for node in ("feeds0", "feeds1"):
        assert redis.Redis(port=cluster.where.port(f"redis_{node}")).dbsize() == 0

    assert feed_ids(cluster, "fdora") == expected
