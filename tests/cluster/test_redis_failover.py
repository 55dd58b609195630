"""A Redis primary dies; Sentinel promotes its replica and the app follows it, no restart."""

from __future__ import annotations

import re
import time

import httpx
import redis

from filmroll.cluster import supervise
from tests.cluster.conftest import Cluster, Load, eventually
from tests.support.personas import PASSWORD


def _role(cluster: Cluster, program: str) -> str:
    return redis.Redis(port=cluster.where.port(program)).info("replication")["role"]


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
