"""The README's path end to end: `filmroll init`, `filmroll demo`, `filmroll serve`, then HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from filmroll.ops import demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_urls(prefix: str = "filmroll_e2e") -> tuple[str, str, list[tuple[dict, str]]]:
    """Fresh database URLs beside the test ones, and what to drop afterwards."""
    made = []

    def url(alias: str, name: str) -> str:
        params = settings.DATABASES[alias]
        made.append((params, name))
        return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{name}"

    global_url = url("default", f"{prefix}_global")
    shards = ",".join(
        f"{alias}={url(alias, f'{prefix}_{alias}')}" for alias in settings.FILMROLL.shard_databases
    )
    return global_url, shards, made


def _drop(made: list[tuple[dict, str]]) -> None:
    for params, name in made:
        with psycopg.connect(
            host=params["HOST"],
            port=params["PORT"],
            user=params["USER"],
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _call(method: str, url: str, data: dict | None = None) -> tuple[int, dict]:
    body = urllib.parse.urlencode(data).encode() if data else None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, body, method=method), timeout=10
        ) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(databases=[])
def test_a_new_install_serves_the_api(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env["FILMROLL_DATA_DIR"] = str(tmp_path / "data")
    made: list = []
    if not settings.FILMROLL.embedded:
        env["FILMROLL_DATABASE_URL"], env["FILMROLL_SHARD_DATABASES"], made = _postgres_urls()
        _drop(made)
    command = [sys.executable, "-m", "filmroll.cli"]
    port = _free_port()
    server = None
    try:
        init = subprocess.run(
            [*command, "init", "--logical-shards", "4"], env=env, capture_output=True, text=True
        )
        assert init.returncode == 0, init.stderr
        assert "ready" in init.stdout
        seeded = subprocess.run(
            [*command, "demo", "--photos", "3"], env=env, capture_output=True, text=True
        )
        assert seeded.returncode == 0, seeded.stderr
        with socket.socket() as taken:  # a port in use: refused at once, in one line
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = taken.getsockname()[1]
            refused = subprocess.run(
                [*command, "serve", "--bind", f"127.0.0.1:{busy}"],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
        assert refused.returncode == 2 and refused.stdout == ""
        assert refused.stderr == (
            f"CommandError: port {busy} on 127.0.0.1 is taken: stop what listens there, or serve"
            " on another port with --bind HOST:PORT\n"
        )
        server = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        # said once the port is bound: it answers straight after
        assert server.stdout.readline() == f"filmroll is serving on http://127.0.0.1:{port}/\n"
        assert server.stdout.readline() == f"log in as ana, password {demo.PASSWORD}\n"
        base = f"http://127.0.0.1:{port}"
        status, health = _call("GET", f"{base}/healthz/deep")
        assert status == 200 and health["status"] == "ok"
        status, login = _call(
            "POST", f"{base}/api/v1/accounts/login", {"username": "ana", "password": demo.PASSWORD}
        )
        assert status == 200
        status, joined = _call(
            "POST",
            f"{base}/api/v1/accounts/signup",
            {"username": "newcomer", "password": "a fresh passphrase", "email": "n@example.com"},
        )
        assert status == 201
        token = joined["data"]["access_token"]
        status, me = _call("GET", f"{base}/api/v1/users/self?access_token={token}")
        assert status == 200 and me["data"]["username"] == "newcomer"
        status, missing = _call("GET", f"{base}/api/v1/no/such/path")
        assert status == 404 and missing["meta"]["error_type"] == "APINotFoundError"
        # SIGTERM stops the server, its web workers and its task worker, saying so in one line
        children = _children(server.pid)
        assert len(children) == 2  # one web worker, the task worker
        server.terminate()
        rest = server.communicate(timeout=60)[0].splitlines()
        assert server.returncode == 0 and rest[-1] == "filmroll stopped"
        assert not [line for line in rest if not line.startswith("{")][:-1]  # log lines only
        assert "Traceback" not in "".join(rest)
        assert [pid for pid in children if _alive(pid)] == []
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait(timeout=20)
        _drop(made)


def _children(pid: int) -> list[int]:
    listed = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    )
    return [int(p) for p in listed.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child that exited but is not yet reaped by anyone is gone too
    return (
        Path(f"/proc/{pid}/stat").exists() and ") Z " not in Path(f"/proc/{pid}/stat").read_text()
    )
