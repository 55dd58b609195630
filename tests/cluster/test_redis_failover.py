"""A Redis primary dies; Sentinel promotes its replica and the app follows it, no restart."""

from __future__ import annotations

import os
import re
import signal
import time

import httpx
import redis

from filmroll.cluster import supervise, topology
from tests.cluster.conftest import Cluster, Load, eventually
from tests.support.personas import PASSWORD


def _role(cluster: Cluster, program: str) -> str:
    """The node's replication role; "down" while it is (re)starting and not yet listening."""
    try:
        return redis.Redis(port=cluster.where.port(program)).info("replication")["role"]
    except (redis.ConnectionError, redis.BusyLoadingError):
        return "down"


def test_the_app_follows_a_promoted_redis_replica_without_a_restart(cluster: Cluster) -> None:
    user = cluster.sign_up("sentinel")
    headers = {"Authorization": f"Bearer {user['token']}"}
    apps = {name: supervise.pid(cluster.where, name) for name in ("app_1", "app_2")}

    def read(http: httpx.Client, n: int) -> httpx.Response:
        return http.get(cluster.url("/api/v1/users/self/feed"), headers=headers)

    try:
        with Load(read, 2) as load:
            time.sleep(1)
            for node in ("feeds0", "feeds1", "sessions"):
                cluster.stop(f"redis_{node}")
            for node in ("feeds0", "feeds1", "sessions"):
                eventually(lambda n=node: _role(cluster, f"redis_{n}_replica") == "master", 60,
                           f"Sentinel promoting the {node} replica")  # fmt: skip
            promoted = time.monotonic() + 1
            time.sleep(3)
        after = [r for r in load.results if r[0] >= promoted]
        assert len(after) > 10
        assert load.failures(after=promoted) == []
        assert {name: supervise.pid(cluster.where, name) for name in apps} == apps
        # sessions too: a web sign-in works against the promoted sessions Redis
        with cluster.client() as web:
            page = web.get("/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            # over HTTPS, Django's CSRF check wants the Referer a browser sends
            signed_in = web.post("/accounts/login/", data={
                "csrfmiddlewaretoken": token, "username": "sentinel", "password": PASSWORD},
                headers={"Referer": cluster.url("/accounts/login/")})  # fmt: skip
            assert signed_in.status_code == 302, signed_in.text
            assert "sentinel" in web.get("/settings/").text
    finally:
        # the old primaries come back as replicas of the promoted ones (Sentinel tells them)
        for node in ("feeds0", "feeds1", "sessions"):
            cluster.start(f"redis_{node}")
        for node in ("feeds0", "feeds1", "sessions"):
            eventually(lambda n=node: _role(cluster, f"redis_{n}") == "slave", 60,
                       f"the old {node} primary rejoining as a replica")  # fmt: skip


def _program_at(cluster: Cluster, port: int) -> str:
    return next(
        name for name in topology.BASE_PORTS
        if name.startswith("redis_") and cluster.where.port(name) == port
    )  # fmt: skip


def _primary(cluster: Cluster, node: str) -> str:
    """The program Sentinel names as `node`'s primary now (tests before may have failed over)."""
    sentinel = redis.Redis(port=cluster.where.port("redis_sentinel"))
    _, port = sentinel.sentinel_get_master_addr_by_name(node)
    return _program_at(cluster, int(port))


def test_a_redis_primary_killed_is_failed_over_with_every_key(cluster: Cluster) -> None:
    for node in ("feeds0", "sessions"):
        _kill_primary_and_check(cluster, node)


def _kill_primary_and_check(cluster: Cluster, node: str) -> None:
    primary = _primary(cluster, node)
    replica = next(n for n in (f"redis_{node}", f"redis_{node}_replica") if n != primary)
    keys = [f"test:kill:{n}" for n in range(300)]
    store = redis.Redis(port=cluster.where.port(primary))
    assert store.config_get("appendonly") == {"appendonly": "yes"}
    for n, key in enumerate(keys):
        store.set(key, n)
    assert store.wait(1, 5000) == 1  # the replica has them all
    killed = supervise.pid(cluster.where, primary)

    os.kill(killed, signal.SIGKILL)
    # Sentinel promotes the replica: the dead primary is not back before it does
    eventually(lambda: _role(cluster, replica) == "master", 60, f"Sentinel promoting {replica}")
    promoted = redis.Redis(port=cluster.where.port(replica))
    assert promoted.mget(keys) == [str(n).encode() for n in range(300)]
    # supervisord restarts the killed node, which comes back as the new primary's replica with
    # every key (not as a blank primary whose replica would copy nothing)
    eventually(
        lambda: (
            supervise.pid(cluster.where, primary) not in (0, killed)
            and _role(cluster, primary) == "slave"
        ),
        60,
        f"{primary} rejoining as a replica",
    )
    rejoined = redis.Redis(port=cluster.where.port(primary))
    eventually(
        lambda: rejoined.info("replication").get("master_link_status") == "up", 30, "in sync"
    )
    assert rejoined.mget(keys) == [str(n).encode() for n in range(300)]
    assert _primary(cluster, node) == replica
    promoted.delete(*keys)
