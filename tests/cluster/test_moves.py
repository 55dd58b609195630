"""`filmroll shards move` under a write load: every acknowledged write is there, once."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter

import httpx

from tests.cluster.conftest import (
    FILMROLL,
    Cluster,
    Load,
    acknowledged,
    comment_texts,
    commenting,
    post_photo,
    user_on,
)

LONE_INSERTS = """
import time
from filmroll.sharding import db
end = time.monotonic() + 4.5
n = 0
while time.monotonic() < end:
    db.insert({shard}, "locations", {{"name": f"lone{{n}}", "latitude": 1.0, "longitude": 2.0}})
    print(n, flush=True)
    n += 1
"""


def place_names(cluster: Cluster, shard: int) -> list[str]:
    """The names of the shard's places (the lone writer's rows), from wherever the shard is."""
    return cluster.python(
        "import json; from filmroll.sharding import db; "
        f"print(json.dumps([r[0] for r in db.fetchall({shard}, 'SELECT name FROM {{locations}}')]))"
    )


def test_moving_a_logical_shard_under_writes_loses_and_doubles_nothing(cluster: Cluster) -> None:
    writer = user_on(cluster, "a", "mover")
    shard = cluster.users[writer]["shard"]
    photo = post_photo(cluster, writer)

    def read(http: httpx.Client, n: int) -> httpx.Response:
        return http.get(cluster.url(f"/api/v1/media/{photo}/comments"), headers={
            "Authorization": f"Bearer {cluster.users[writer]['token']}"})  # fmt: skip

    # a writer of lone statements (no transaction, so no fence: the move's table locks hold it)
    lone = subprocess.Popen(
        [FILMROLL, "shell", "-c", LONE_INSERTS.format(shard=shard)],
        env=cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with Load(commenting(cluster, writer, photo, "m"), threads=3) as writes, Load(read, 2) as reads:
        time.sleep(1.5)
        moved = cluster.filmroll("shards", "move", str(shard), "--to", "b").stdout
        time.sleep(1.5)
    out, err = lone.communicate(timeout=60)
    assert lone.returncode == 0, err
    assert re.search(
        rf"moved logical shard {shard} from a to b: \d+ rows; writes to it paused \d+ ms", moved
    )
    print(moved.strip().splitlines()[-1])
    assert reads.failures() == [] and len(reads.results) > 10
    assert writes.failures() == []
    stored = Counter(comment_texts(cluster, photo))
    sent = acknowledged(writes)
    assert len(sent) > 20
    assert all(stored[text] == 1 for text in sent)
    assert set(stored) == set(sent)  # and nothing unacknowledged slipped in
    # the photo's comment count agrees with its rows, and the shard map moved everywhere
    with cluster.client(writer) as http:
        detail = http.get(f"/api/v1/media/{photo}").json()["data"]
    assert detail["comments"]["count"] == len(sent)
    # every lone insert acknowledged before, during and after the move is there once
    inserted = [int(line) for line in out.splitlines() if line.isdigit()]
    assert len(inserted) > 20
    names = Counter(name for name in place_names(cluster, shard) if name.startswith("lone"))
    assert names == Counter(f"lone{n}" for n in inserted)
    shards = cluster.filmroll("shards").stdout
    assert (
        re.search(rf"^b: logical shards .*\b{shard}\b", shards, re.M)
        or f"b: logical shards {shard}" in shards
    )
