"""Reads from the shard servers' streaming replicas: read-your-writes, a lag bound, authorization
on primaries, and a stopped replica that nobody notices."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import psycopg

from filmroll.cluster.topology import PHYSICALS
from tests.cluster.conftest import Cluster, Load


def _replica(cluster: Cluster, physical: str) -> psycopg.Connection:
    port = cluster.where.port(f"pg_{physical}_replica")
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True)  # fmt: skip


def _caught_up(cluster: Cluster) -> None:
    """A commit on each shard primary, then until each replica has replayed it: a replica's lag
    counts from its last replayed commit, so this one starts the clock at zero."""
    for physical in PHYSICALS:
        port = cluster.where.port(f"pg_{physical}")
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres"
        ) as primary:
            primary.execute("CREATE TABLE IF NOT EXISTS heartbeat (at timestamptz)")
            primary.execute("INSERT INTO heartbeat VALUES (now())")
            primary.commit()
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        with _replica(cluster, physical) as replica:
            for _ in range(100):
                done = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]
                ).fetchone()[0]
                if done:
                    break
                time.sleep(0.05)


@contextlib.contextmanager
def replay_paused(cluster: Cluster) -> Iterator[None]:
    """The replicas receive changes but do not apply them: they fall behind on purpose."""
    for physical in PHYSICALS:
        with _replica(cluster, physical) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        for physical in PHYSICALS:
            with _replica(cluster, physical) as replica:
                replica.execute("SELECT pg_wal_replay_resume()")


def _follows(cluster: Cluster, viewer: str, owner: str) -> set[str]:
    with cluster.client(viewer) as http:
        reply = http.get(f"/api/v1/users/{cluster.users[owner]['id']}/follows")
    assert reply.status_code == 200, reply.text
    return {user["username"] for user in reply.json()["data"]}


def _act(cluster: Cluster, who: str, action: str, whom: str) -> None:
    with cluster.client(who) as http:
        reply = http.post(
            f"/api/v1/users/{cluster.users[whom]['id']}/relationship", data={"action": action}
        )
    assert reply.status_code == 200, reply.text


def test_readers_see_a_lagging_replica_writers_see_their_writes(cluster: Cluster) -> None:
    for name in ("rbob", "rcarol", "rdave", "rerin"):
        cluster.sign_up(name)
    _act(cluster, "rerin", "follow", "rdave")  # a recent write on the shard servers, replayed
    _caught_up(cluster)
    with replay_paused(cluster):
        _act(cluster, "rbob", "follow", "rcarol")
        # bob wrote a moment ago: his reads go to primaries
        assert _follows(cluster, "rbob", "rbob") == {"rcarol"}
        # dave did not: his read of the same list comes from a replica, which lacks the follow
        assert _follows(cluster, "rdave", "rbob") == set()
        # once the replicas lag past FILMROLL_REPLICA_MAX_LAG_SECONDS (4) they are skipped
        time.sleep(5)
        assert _follows(cluster, "rdave", "rbob") == {"rcarol"}


def test_authorization_is_decided_on_primaries(cluster: Cluster) -> None:
    for name in ("afay", "agus"):
        cluster.sign_up(name)
    _act(cluster, "afay", "follow", "agus")
    _caught_up(cluster)
    assert _follows(cluster, "agus", "afay") == {"agus"}
    with replay_paused(cluster):
        _act(cluster, "afay", "block", "agus")
        # the replicas still show no block; gus is refused all the same
        with cluster.client("agus") as http:
            reply = http.get(f"/api/v1/users/{cluster.users['afay']['id']}/follows")
        assert reply.status_code in (400, 403, 404), reply.text


def test_stopped_replicas_fail_no_read(cluster: Cluster) -> None:
    owner = cluster.sign_up("rhana")
    headers = {"Authorization": f"Bearer {owner['token']}"}

    def read(http: httpx.Client, n: int) -> httpx.Response:
        return http.get(cluster.url(f"/api/v1/users/{owner['id']}/follows"), headers=headers)

    try:
        with Load(read) as load:
            time.sleep(1)
            for physical in PHYSICALS:
                cluster.stop(f"pg_{physical}_replica")
            time.sleep(3)
        assert len(load.results) > 20
        assert load.failures() == []
    finally:
        for physical in PHYSICALS:
            cluster.start(f"pg_{physical}_replica")
