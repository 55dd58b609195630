"""A shard server's primary dies; `filmroll shards promote` makes its replica the primary and
writes to its shards resume, while the other shard server never stops taking writes."""

from __future__ import annotations

import time

import pytest

from filmroll.config import datadir
from tests.cluster.conftest import (
    Cluster,
    Load,
    acknowledged,
    comment_texts,
    commenting,
    post_photo,
    user_on,
)


@pytest.mark.last
def test_promoting_a_dead_primarys_replica_resumes_its_writes(cluster: Cluster) -> None:
    on_a, on_b = user_on(cluster, "a", "fa"), user_on(cluster, "b", "fb")
    photo_a, photo_b = post_photo(cluster, on_a), post_photo(cluster, on_b)
    with (
        Load(commenting(cluster, on_a, photo_a, "a"), 2) as to_a,
        Load(commenting(cluster, on_b, photo_b, "b"), 2) as to_b,
    ):
        time.sleep(1.5)
        killed = time.monotonic()
        cluster.kill("pg_a")
        time.sleep(2)
        promoting = time.monotonic()
        promoted = cluster.filmroll("shards", "promote", "a").stdout
        resumed = time.monotonic() + 1
        time.sleep(3)
    assert "replayed to" in promoted and "now points at the new primary" in promoted
    print(promoted)
    # the data directory's settings follow: no replica for a, backups go to its new primary
    kept = datadir.read_settings(cluster.where.data_dir)
    assert [item.split("=")[0] for item in kept["FILMROLL_SHARD_REPLICAS"].split(",")] == ["b"]
    new_primary = f"a=postgres://postgres@127.0.0.1:{cluster.where.port('pg_a_replica')}/"
    assert new_primary in kept["FILMROLL_MAINTENANCE_DATABASES"]
    # the other shard server never stopped
    assert to_b.failures() == [] and len(to_b.results) > 20
    # writes to the dead server's shards stopped (failed, or waited in pgbouncer), then resumed
    stalled = [r for r in to_a.results if killed + 0.5 < r[0] < promoting]
    assert all(r[1] not in (200, 201) for r in stalled)
    after = [r for r in to_a.results if r[0] >= resumed]
    assert after and all(r[1] in (200, 201) for r in after)
    # asynchronous replication may lose the writes acknowledged just before the crash (the
    # promote output says how far behind the replica was), never older ones, and doubles none
    stored = comment_texts(cluster, photo_a)
    assert len(stored) == len(set(stored))
    lost = set(acknowledged(to_a)) - set(stored)
    acked_at = {r[2].sent_text: r[0] for r in to_a.results if r[1] in (200, 201)}
    assert all(acked_at[text] > killed - 1 for text in lost)
