"""A real `filmroll serve` (Gunicorn on loopback) for the security tests that need the whole HTTP
path, and a raw HTTP client that sends exactly the bytes it is given (invalid UTF-8, headers a
proxy sets). The server runs on a fresh install of its own, like tests/test_serve.py's."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.servers import free_port
from tests.test_serve import _drop, _postgres_urls

COMMAND = [sys.executable, "-m", "filmroll.cli"]


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Served:
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def request(
        self,
        method: str,
        target: bytes | str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        port: int | None = None,
    ) -> Answer:
        """One request on its own connection, the target and body sent as given."""
        target = target.encode() if isinstance(target, str) else target
        lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
        every = {"Connection": "close", **(headers or {})}
        if body or method in ("POST", "PUT"):
            every["Content-Length"] = str(len(body))
        lines += [f"{k}: {v}".encode("latin-1") for k, v in every.items()]
        with socket.create_connection(("127.0.0.1", port or self.port), timeout=30) as sock:
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parsed = [tuple(h.split(": ", 1)) for h in header_lines]
        if dict((k.lower(), v) for k, v in parsed).get("transfer-encoding") == "chunked":
            rest = _unchunk(rest)
        return Answer(int(status_line.split()[1]), parsed, rest)  # type: ignore[arg-type]

    def start(self, **extra: str) -> int:
        """Another server on the same install with more settings; its port."""
        port = free_port()
        self.processes.append(
            subprocess.Popen(
                [*COMMAND, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                env={**self.env, **extra},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return port
            except OSError:
                assert time.monotonic() < deadline, "filmroll serve did not start"
                time.sleep(0.2)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        out, data = out + data[:n], data[n + 2 :]
    return out


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`filmroll serve` behind an imagined proxy on 127.0.0.1 (FILMROLL_TRUSTED_PROXIES), with the
    default operator networks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env["FILMROLL_DATA_DIR"] = str(Path(tmp_path_factory.mktemp("served")) / "data")
    env["FILMROLL_TRUSTED_PROXIES"] = "127.0.0.1/32"
    made: list = []
    if not settings.FILMROLL.embedded:
        env["FILMROLL_DATABASE_URL"], env["FILMROLL_SHARD_DATABASES"], made = _postgres_urls(
            "filmroll_security"
        )
        _drop(made)
    server = Served(0, env)
    try:
        init = subprocess.run(
            [*COMMAND, "init", "--logical-shards", "2"], env=env, capture_output=True, text=True
        )
        assert init.returncode == 0, init.stderr
        server.port = server.start()
        yield server
    finally:
        for process in server.processes:
            process.send_signal(signal.SIGINT)  # Gunicorn's quick shutdown
            process.wait(timeout=60)  # past its 30-s graceful timeout
        _drop(made)
