"""A whole cluster (`filmroll cluster up`) for the tests of this folder: real nginx, Gunicorn,
PostgreSQL with replicas and pgbouncer, Redis, memcached, RabbitMQ and Celery, on ports 20
above the usual so a developer's own cluster can run beside it. The tests talk to it as its
users and operators do: HTTPS through nginx (plain HTTP only answers health checks and
redirects), the `filmroll` command, and the servers' own protocols; they kill and restart its
processes through supervisord."""

from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from filmroll.cluster import supervise, topology
from tests.support.personas import PASSWORD

OFFSET = 20
FILMROLL = str(Path(sys.executable).parent / "filmroll")
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "var" / "test-cluster"
# Passed on to every process of the test cluster.
SETTINGS = {
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000",
    "FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR": "100000",
    "FILMROLL_REPLICA_MAX_LAG_SECONDS": "4",
    "FILMROLL_READ_YOUR_WRITES_SECONDS": "30",
    "FILMROLL_FANOUT_BATCH": "500",
    "FILMROLL_REQUEST_LOGS": "0",
    # a network the tests are not in: from loopback, they are the public to /metrics and /status
    "FILMROLL_OPERATOR_NETWORKS": "192.0.2.0/24",
}


def tls() -> ssl.SSLContext:
    """Trusts the test cluster's self-signed certificate (made by `cluster up`)."""
    return ssl.create_default_context(cafile=str(DATA / "cluster" / "tls" / "cert.pem"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The fail-over leaves a shard server on its promoted replica: it goes last.
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


@dataclass
class Cluster:
    where: topology.Topology
    users: dict[str, dict] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return topology.environ(self.where)

    def filmroll(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [FILMROLL, *args], env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"filmroll {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done

    def python(self, code: str) -> Any:
        """Run `code` in a Django shell of the cluster; what its last line printed, as JSON."""
        out = self.filmroll("shell", "-c", code).stdout.strip().splitlines()
        return json.loads(out[-1])

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.where.port('nginx_https')}{path}"

    def plain_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.where.port('nginx_http')}{path}"

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.users[user]['token']}"} if user else {}
        return httpx.Client(base_url=self.url(""), headers=headers, timeout=30, verify=tls())

    def sign_up(self, name: str) -> dict:
        with self.client() as http:
            reply = http.post(
                "/api/v1/accounts/signup",
                data={"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
            )
        assert reply.status_code == 201, reply.text
        data = reply.json()["data"]
        self.users[name] = {"id": data["user"]["id"], "token": data["access_token"]}
        return self.users[name]

    def kill(self, program: str) -> None:
        """SIGKILL a program's whole process group (a Gunicorn master and its workers)."""
        os.killpg(supervise.pid(self.where, program), signal.SIGKILL)

    def stop(self, program: str) -> None:
        supervise.stop(self.where, program)

    def start(self, program: str) -> None:
        supervise.start(self.where, [program])


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    data = DATA
    where = topology.Topology(data, OFFSET, 8)
    if data.exists():
        subprocess.run([FILMROLL, "cluster", "down"], env=topology.environ(where), check=False)
        shutil.rmtree(data)
    env = {**os.environ, **SETTINGS, "FILMROLL_DATA_DIR": str(data)}
    started = subprocess.run(
        [FILMROLL, "cluster", "up", "--port-offset", str(OFFSET), "--logical-shards", "8"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield Cluster(topology.load(data))
    finally:
        subprocess.run([FILMROLL, "cluster", "down"], env=topology.environ(where), check=False)
        shutil.rmtree(data, ignore_errors=True)


class Load:
    """Threads sending requests until stopped; every response's status, with when it came."""

    def __init__(self, send: Callable[[httpx.Client, int], httpx.Response], threads: int = 4):
        self.send = send
        self.results: list[tuple[float, int, Any]] = []  # (time, status, what the send returned)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]
        self._client: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=30, verify=tls())

    def _run(self, worker: int) -> None:
        count = 0
        with self._client() as http:
            while not self._stop.is_set():
                count += 1
                try:
                    reply = self.send(http, worker * 1_000_000 + count)
                    self.results.append((time.monotonic(), reply.status_code, reply))
                except httpx.HTTPError as error:
                    self.results.append((time.monotonic(), 0, error))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def failures(self, after: float = 0.0) -> list[tuple[float, int, Any]]:
        return [r for r in self.results if r[0] >= after and (r[1] == 0 or r[1] >= 400)]


def post_photo(cluster: Cluster, user: str, caption: str = "") -> str:
    """Upload a photo through nginx; its media ID."""
    from tests.support.images import jpeg_bytes

    with cluster.client(user) as http:
        reply = http.post(
            "/api/v1/media",
            files={"image": ("photo.jpg", jpeg_bytes((320, 240)), "image/jpeg")},
            data={"caption": caption},
        )
    assert reply.status_code in (200, 201), reply.text
    return reply.json()["data"]["id"]


def feed_ids(cluster: Cluster, user: str) -> list[str]:
    with cluster.client(user) as http:
        reply = http.get("/api/v1/users/self/feed", params={"count": 50})
    assert reply.status_code == 200, reply.text
    return [item["id"] for item in reply.json()["data"]]


def eventually(check: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.2)


def user_on(cluster: Cluster, physical: str, prefix: str) -> str:
    """Sign up users until one's data lives on `physical`; that user's name."""
    placed = cluster.python(
        "import json; from filmroll.sharding import shardmap; "
        "print(json.dumps([shardmap.physical_of(n) for n in range(shardmap.logical_count())]))"
    )
    for n in range(16):
        name = f"{prefix}{n}"
        user = cluster.sign_up(name)
        shard = (int(user["id"]) >> 10) & 8191
        if placed[shard] == physical:
            user["shard"] = shard
            return name
    raise AssertionError(f"no user landed on {physical}")


def comment_texts(cluster: Cluster, media_id: str) -> list[str]:
    """Every comment on a photo, straight from its shard."""
    return cluster.python(
        "import json; from filmroll.sharding import db, ids; "
        f"print(json.dumps([r[0] for r in db.fetchall(ids.shard_of({media_id}),"
        f" 'SELECT text FROM {{comments}} WHERE media_id = %s', [{media_id}])]))"
    )


def commenting(cluster: Cluster, user: str, media_id: str, tag: str):
    """A Load send function: `user` comments on `media_id`, each text unique."""
    headers = {"Authorization": f"Bearer {cluster.users[user]['token']}"}

    def send(http: httpx.Client, n: int) -> httpx.Response:
        reply = http.post(
            cluster.url(f"/api/v1/media/{media_id}/comments"),
            headers=headers,
            data={"text": f"{tag}{n}"},
        )
        reply.sent_text = f"{tag}{n}"  # type: ignore[attr-defined]
        return reply

    return send


def acknowledged(load: Load) -> list[str]:
    return [r[2].sent_text for r in load.results if r[1] in (200, 201)]
