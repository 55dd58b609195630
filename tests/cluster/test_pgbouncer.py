"""pgbouncer restarted in the middle of a load: the requests after it succeed."""

from __future__ import annotations

import time

import httpx

from tests.cluster.conftest import Cluster, Load


def test_requests_after_a_pgbouncer_restart_succeed(cluster: Cluster) -> None:
    user = cluster.sign_up("pgbouncy")
    headers = {"Authorization": f"Bearer {user['token']}"}

    def read(http: httpx.Client, n: int) -> httpx.Response:
        # the user's profile and counts: the global database and the user's shard
        return http.get(cluster.url(f"/api/v1/users/{user['id']}"), headers=headers)

    with Load(read) as load:
        time.sleep(1.5)
        for server in ("global", "a", "b"):
            cluster.stop(f"pgbouncer_{server}")
            cluster.start(f"pgbouncer_{server}")
        back = time.monotonic() + 0.5
        time.sleep(3)
    after = [r for r in load.results if r[0] >= back]
    assert len(after) > 20
    assert load.failures(after=back) == []
