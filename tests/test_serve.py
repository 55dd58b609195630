"""The README's path end to end: `filmroll init`, `filmroll demo`, `filmroll serve`, then HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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
        server = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, health = _call("GET", f"{base}/healthz/deep")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
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
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        _drop(made)
