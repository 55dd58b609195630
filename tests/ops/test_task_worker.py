"""`filmroll serve` starts its task worker again after a kill -9, and deep health shows the new
one's heartbeat."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.servers import _database_urls, free_port

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def task_workers(server: int) -> list[int]:
    """The server's children running `filmroll worker`."""
    listed = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server)], capture_output=True)
    found = []
    for pid in map(int, listed.stdout.split()):
        try:  # a child listed may be gone by now (a Gunicorn worker restarting)
            if (
                b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
                and ") Z " not in Path(f"/proc/{pid}/stat").read_text()
            ):
                found.append(pid)
        except FileNotFoundError:
            continue
    return found


def deep(base: str) -> dict:
    try:
        with urllib.request.urlopen(f"{base}/healthz/deep", timeout=10) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.2)
    return found


def test_serve_restarts_its_task_worker_after_a_kill(settings):
    port = free_port()
    env = {**os.environ, **_database_urls(), "FILMROLL_REQUEST_LOGS": "0",
           "FILMROLL_BROKER_URL": "", "FILMROLL_TASK_LEASE_SECONDS": "3"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout.readline().startswith("filmroll is serving")
        first = wait_for(lambda: task_workers(server.pid), 30)
        beat = wait_for(lambda: deep(base)["backends"]["tasks:worker"]["heartbeat_age"], 30)
        assert beat is not None
        os.kill(first[0], signal.SIGKILL)
        second = wait_for(lambda: [p for p in task_workers(server.pid) if p != first[0]], 15)
        assert len(second) == 1
        # the dead worker's beat is gone at once; the new one's comes within a beat
        wait_for(lambda: deep(base)["backends"]["tasks:worker"]["heartbeat_age"] is not None, 30)
        report = deep(base)
        assert report["status"] == "ok" and report["backends"]["tasks:worker"]["ok"] is True
        server.terminate()
        out = server.communicate(timeout=60)[0]
        assert "the task worker stopped" in out and "starting it again in 1 s" in out
        assert out.rstrip().endswith("filmroll stopped")
        assert not task_workers(server.pid)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=20)
