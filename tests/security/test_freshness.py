"""Once a write is acknowledged, no worker serves the row as it was: a privacy change, a delete or
a like is seen by the very next request, whichever Gunicorn worker answers it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import transaction

from filmroll import objcache
from tests.support.images import jpeg_bytes
from tests.support.servers import free_port
from tests.test_serve import _drop, _postgres_urls


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    """A fresh install served by `filmroll serve` with two Gunicorn workers; its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env["FILMROLL_DATA_DIR"] = str(tmp_path / "data")
    made: list = []
    if not settings.FILMROLL.embedded:
        env["FILMROLL_DATABASE_URL"], env["FILMROLL_SHARD_DATABASES"], made = _postgres_urls()
        _drop(made)
    if settings.FILMROLL.cache_servers:  # the cluster run: the shared object cache too
        env["FILMROLL_CACHE_SERVERS"] = ",".join(settings.FILMROLL.cache_servers)
    command = [sys.executable, "-m", "filmroll.cli"]
    port = free_port()
    server = None
    try:
        init = subprocess.run(
            [*command, "init", "--logical-shards", "4"], env=env, capture_output=True, text=True
        )
        assert init.returncode == 0, init.stderr
        server = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-tasks"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)  # past the server's 30-s graceful timeout
        _drop(made)


def _join(base: str, name: str) -> httpx.Client:
    joined = httpx.post(
        f"{base}/api/v1/accounts/signup",
        data={"username": name, "password": "a fresh passphrase", "email": f"{name}@example.com"},
    )
    assert joined.status_code == 201, joined.text
    token = joined.json()["data"]["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def _burst(client: httpx.Client, path: str) -> list[httpx.Response]:
    """Reads in parallel, so that both workers answer some (one alone would take them in turn)."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: client.get(path), range(48)))


def test_a_change_reaches_every_worker_at_once(two_workers: str):
    alice, bob = _join(two_workers, "alice"), _join(two_workers, "bob")
    posted = alice.post("/api/v1/media", files={"image": ("p.jpg", jpeg_bytes(), "image/jpeg")})
    assert posted.status_code == 201, posted.text
    path = f"/api/v1/media/{posted.json()['data']['id']}"
    # both workers have read (and could be keeping) the photo and alice
    assert {r.status_code for r in _burst(bob, path)} == {200}

    assert bob.post(f"{path}/likes").status_code == 200
    assert {r.json()["data"]["likes"]["count"] for r in _burst(bob, path)} == {1}

    assert alice.post("/api/v1/users/self", data={"is_private": "true"}).status_code == 200
    seen = _burst(bob, path)  # bob does not follow alice
    assert all(r.status_code != 200 and "data" not in r.json() for r in seen)

    assert alice.get(path).status_code == 200
    assert alice.request("DELETE", path).status_code == 200
    assert all(r.status_code != 200 for r in _burst(alice, path))


def test_a_reader_cannot_put_back_a_row_a_writer_changed():
    """A reader loads a row, a write commits and invalidates, then the reader stores what it
    loaded: the next read must not be served that old row."""
    rows = {1: "old"}

    def load_while_written(keys: list[int]) -> dict[int, str]:
        loaded = {key: rows[key] for key in keys}
        rows[1] = "new"  # a write commits while the reader holds the old row ...
        objcache.invalidate("test-row", 1)  # ... and invalidates
        return loaded

    assert objcache.get_many("test-row", [1], load_while_written) == {1: "old"}
    assert objcache.get_many("test-row", [1], lambda keys: {k: rows[k] for k in keys}) == {1: "new"}


@pytest.mark.django_db(databases="__all__", transaction=True)
@pytest.mark.usefixtures("restores_install")
def test_a_write_inside_a_transaction_is_invalidated_again_when_it_commits():
    """While the write is uncommitted, a reader elsewhere still loads the old row, under the
    version the write just made: the commit must make that copy stale too."""
    rows = {1: "old"}
    with transaction.atomic():
        rows[1] = "new"  # written, not committed yet
        objcache.invalidate("test-tx", 1)
        committed = {1: "old"}  # what another connection sees meanwhile
        assert objcache.get_many("test-tx", [1], lambda keys: committed) == {1: "old"}
    assert objcache.get_many("test-tx", [1], lambda keys: {k: rows[k] for k in keys}) == {1: "new"}
