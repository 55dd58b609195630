"""Leases of the embedded queue, renewed by the worker's heartbeat: a long task is never taken
by a second worker while its own lives, and is taken again within seconds once it is killed."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from filmroll.tasks import dispatch
from filmroll.tasks.models import QueuedTask
from tests.support.servers import _database_urls

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

LEASE = 2

# A real worker process with one task of its own: the first attempt sleeps (a task killed
# halfway), later ones return; each attempt notes its worker's process ID in the file.
WORKER = """
import os, pathlib, signal, threading, time
import django
django.setup()
from filmroll.tasks import registry, worker

@registry.task("test.slow_once", queue="leases")
def slow_once(path):
    with open(path, "a") as notes:
        notes.write(f"{os.getpid()}\\n")
    if len(pathlib.Path(path).read_text().split()) == 1:
        time.sleep(300)

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
worker.run_forever(["leases"], stop=stop, idle_sleep=0.1)  # FILMROLL_TASK_WORKERS threads
"""


def start_worker(threads: int = 1) -> subprocess.Popen:
    env = {
        **os.environ,
        **_database_urls(),
        "DJANGO_SETTINGS_MODULE": "filmroll.settings",
        "FILMROLL_TASK_LEASE_SECONDS": str(LEASE),
        "FILMROLL_TASK_WORKERS": str(threads),
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env)


def attempts(path: Path) -> list[int]:
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def wait_for(check, seconds: float) -> float:
    """Seconds until check() is true; fails after `seconds`."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, "waited too long"
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_running_task_keeps_its_lease_and_a_killed_one_runs_again_within_seconds(
    tmp_path, settings
):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, broker_url="")
    notes = tmp_path / "attempts"
    dispatch.queue_locally("leases", "test.slow_once", [str(notes)])
    first = start_worker()
    second = None
    try:
        wait_for(lambda: attempts(notes), 60)
        second = start_worker()
        time.sleep(LEASE * 3)  # three leases long: renewed by the first worker's heartbeat
        assert attempts(notes) == [first.pid]
        first.send_signal(signal.SIGKILL)
        first.wait()
        retried = wait_for(lambda: len(attempts(notes)) == 2, 30)
        assert retried <= LEASE + 2  # within one lease (and the second worker's idle poll)
        assert attempts(notes) == [first.pid, second.pid]
        wait_for(lambda: not QueuedTask.objects.exists(), 10)  # done, once
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def test_a_worker_runs_as_many_tasks_at_once_as_it_has_threads(tmp_path, settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, broker_url="")
    notes = [tmp_path / f"attempts-{n}" for n in range(3)]
    for path in notes:
        dispatch.queue_locally("leases", "test.slow_once", [str(path)])
    worker = start_worker(threads=2)
    try:
        wait_for(lambda: sum(len(attempts(path)) for path in notes) == 2, 60)
        time.sleep(LEASE * 2)  # two long tasks at once, the third waiting for a thread
        assert sorted(len(attempts(path)) for path in notes) == [0, 1, 1]
        assert {pid for path in notes for pid in attempts(path)} == {worker.pid}
    finally:
        worker.kill()  # its tasks sleep: no waiting for them
        worker.wait()
