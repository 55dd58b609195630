"""nginx in front of two app servers: one dies under load and no request fails."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from filmroll.cluster import supervise
from tests.cluster.conftest import Cluster, Load, eventually
from tests.support.personas import PASSWORD


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (a Gunicorn master's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not gone or a zombie nobody has reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_an_app_server_master_killed_under_load_fails_no_request(cluster: Cluster) -> None:
    reader = cluster.sign_up("steady")
    headers = {"Authorization": f"Bearer {reader['token']}"}
    master = supervise.pid(cluster.where, "app_1")
    workers = _children(master)
    assert len(workers) == 2
    log = cluster.where.logs / "app_1.log"
    logged = log.stat().st_size

    def read_feed(http: httpx.Client, n: int) -> httpx.Response:
        return http.get(cluster.url("/api/v1/users/self/feed"), headers=headers)

    def serving() -> bool:
        info = supervise.client(cluster.where).getProcessInfo("app_1")
        if info["statename"] != "RUNNING" or info["pid"] == master:
            return False
        try:
            port = cluster.where.port("app_1")
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    with Load(read_feed) as load:
        time.sleep(2)
        os.kill(master, signal.SIGKILL)  # the master alone, as a crash or the OOM killer would
        eventually(lambda: not any(_alive(w) for w in workers), 3, "workers dying with the master")
        eventually(serving, 60, "supervisord's restart of app_1 serving")
        time.sleep(2)
    assert len(load.results) > 40
    assert load.failures() == []
    # the restarted master bound its port on its first try: nothing held it
    with log.open("rb") as lines:
        lines.seek(logged)
        assert b"Connection in use" not in lines.read()


def test_https_is_terminated_at_nginx(cluster: Cluster) -> None:
    with cluster.client() as https:
        reply = https.get("/healthz/deep")
        # the tests are not in the cluster's operator networks: up or down, no backends named
        assert reply.status_code == 200 and reply.json() == {"status": "ok"}
        # the app knows the request came over HTTPS (X-Forwarded-Proto from a trusted proxy)
        user = https.post("/api/v1/accounts/signup", data={
            "username": "secure", "password": PASSWORD, "email": "s@example.com"})  # fmt: skip
        assert user.status_code == 201
        assert user.json()["data"]["user"]["profile_picture"].startswith(cluster.url(""))
        page = https.get("/accounts/login/")
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        cookies = page.headers.get_list("Set-Cookie")
        assert cookies and all("; Secure" in c for c in cookies), cookies


def test_plain_http_redirects_to_https_but_health_checks(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.plain_url(""), timeout=30) as plain:
        for path in ("/", "/accounts/login/", "/api/v1/media/popular?count=1"):
            reply = plain.get(path)
            assert reply.status_code == 301, path
            assert reply.headers["Location"] == cluster.url(path)
        assert plain.get("/healthz").json() == {"status": "ok"}
        assert plain.get("/healthz/deep").json() == {"status": "ok"}


def test_operator_endpoints_are_denied_in_nginx(cluster: Cluster) -> None:
    with cluster.client() as https:
        for path in ("/metrics", "/status"):
            reply = https.get(path)
            assert reply.status_code == 403, path
            # nginx's own page: the request never reached the app (which refuses it as well:
            # tests/security/test_operator.py)
            assert "<center>nginx</center>" in reply.text
