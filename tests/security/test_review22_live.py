"""Review of issue 22's per-process caches against real servers: two `filmroll serve` (a Gunicorn
worker each, each with its own memory) on one memcached of the test's own. Bob warms server A;
the state changes through server B (alice goes private, then blocks bob); A shows it at once."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import urllib.error
import urllib.request

import pytest

from tests.security.test_review22_workers import (
    memcached,  # noqa: F401 (fixture)
    post_photo,
)
from tests.support.personas import make_user
from tests.support.servers import live_filmroll
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "installed_for_servers"),
]


def call(server: tuple[str, object], token: str, path: str, data: dict | None = None) -> dict:
    base, cert = server
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(
        base + path, data=body, headers={"Authorization": f"Bearer {token}"}
    )
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        with urllib.request.urlopen(request, context=trust, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def hits(port: int) -> int:
    """memcached's get_hits: the servers read through it (their kept entries need it)."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"stats\r\n")
        text = b""
        while not text.endswith(b"END\r\n"):
            text += conn.recv(65536)
    return int(text.split(b"STAT get_hits ")[1].split()[0])


def test_two_servers_one_warm_the_other_writing(tmp_path, memcached):  # noqa: F811
    alice, alice_api = make_user("alice")
    bob, bob_api = make_user("bob")
    photo = post_photo(alice_api, "live")
    run_tasks()
    where = f"127.0.0.1:{memcached.port}"
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(live_filmroll(tmp_path / "a", FILMROLL_CACHE_SERVERS=where))
        b = stack.enter_context(live_filmroll(tmp_path / "b", FILMROLL_CACHE_SERVERS=where))
        path = f"/api/v1/media/{photo['id']}"
        before = hits(memcached.port)
        for _ in range(3):  # warm A: it keeps the rows
            assert call(a, bob_api.token, path)["data"]["user_has_liked"] is False
        assert hits(memcached.port) > before + 5
        assert call(b, bob_api.token, f"{path}/likes", {})["meta"]["code"] == 200
        item = call(a, bob_api.token, path)["data"]
        assert item["user_has_liked"] is True and item["likes"]["count"] == 1
        assert (
            call(b, alice_api.token, "/api/v1/users/self", {"is_private": "true"})["meta"]["code"]
            == 200
        )
        assert call(a, bob_api.token, path)["meta"]["error_type"] == "APINotFoundError"
        assert (
            call(b, alice_api.token, "/api/v1/users/self", {"is_private": "false"})["meta"]["code"]
            == 200
        )
        assert call(a, bob_api.token, path)["data"]["id"] == photo["id"]
        answer = call(
            b, alice_api.token, f"/api/v1/users/{bob.id}/relationship", {"action": "block"}
        )
        assert answer["meta"]["code"] == 200
        assert call(a, bob_api.token, path)["meta"]["error_type"] == "APINotFoundError"
        call(b, alice_api.token, path, {"_method": "DELETE"})
        assert call(a, alice_api.token, path)["meta"]["error_type"] == "APINotFoundError"
