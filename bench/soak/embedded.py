"""The embedded default under test: `filmroll init` and `filmroll serve` in a data directory of
its own, the photo folder on a small tmpfs (so it can fill up), and its faults."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

import requests

from bench.soak import procs

ENV = {
    # the personas all come from 127.0.0.1: the per-address limits would stop the soak, not a fault
    "FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR": "1000000",
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000",
    "FILMROLL_REQUEST_LOGS": "0",
}
PHOTO_FOLDER_MB = 64


class Embedded:
    mode = "embedded"

    def __init__(self, data_dir: Path, port: int, workers: int = 2) -> None:
        self.data_dir, self.port, self.workers = data_dir.resolve(), port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, **ENV, "FILMROLL_DATA_DIR": str(self.data_dir)}
        self.media = self.data_dir / "media"
        self.server: subprocess.Popen | None = None
        self.log: BinaryIO | None = None
        self.notes: list[str] = []

    # -- lifecycle --------------------------------------------------------------------------

    def filmroll(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "filmroll.cli", *args],
            env=self.env, capture_output=True, text=True, check=check,
        )  # fmt: skip

    def up(self) -> None:
        if self.data_dir.exists():
            self._unmount()
            shutil.rmtree(self.data_dir)
        self.media.mkdir(parents=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={PHOTO_FOLDER_MB}m", "tmpfs", str(self.media)],
            check=True,
        )
        self.filmroll("init")
        self.log = (self.data_dir / "serve.log").open("ab")
        self.start()

    def start(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.wait_healthy(60)

    def wait_healthy(self, seconds: float) -> float:
        """Seconds until /healthz answers."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - start
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"filmroll serve did not answer in {seconds} s: see serve.log")

    def down(self) -> None:
        if self.server is not None:
            pids = procs.tree(self.server.pid)
            self.server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(timeout=30)
            procs.kill9([p for p in pids if procs.alive(p)])
            self.server.wait()
        self._unmount()

    def _unmount(self) -> None:
        if os.path.ismount(self.media):
            subprocess.run(["umount", "-l", str(self.media)], check=False)

    # -- what is running ----------------------------------------------------------------------

    def task_worker(self) -> int | None:
        assert self.server is not None
        for pid in procs.children(self.server.pid):
            if " worker " in procs.cmdline(pid) + " " and procs.alive(pid):
                return pid
        return None

    def app_workers(self) -> list[int]:
        assert self.server is not None
        worker = self.task_worker()
        return [p for p in procs.children(self.server.pid) if p != worker and procs.alive(p)]

    # -- faults: each returns a note; `heal` undoes the lasting ones --------------------------

    def kill_app_worker(self) -> str:
        workers = self.app_workers()
        procs.kill9(workers[:1])
        return f"kill -9 app worker {workers[:1]}"

    def kill_task_worker(self) -> str:
        pid = self.task_worker()
        if pid is None:
            return "no task worker was running"
        procs.kill9([pid])
        time.sleep(10)
        again = self.task_worker()
        restarted = f"restarted (pid {again})" if again else "NOT restarted after 10 s"
        return f"kill -9 task worker {pid}: {restarted}"

    def kill_server(self) -> str:
        assert self.server is not None
        pids = procs.tree(self.server.pid)
        procs.kill9(pids)
        self.server.wait()
        time.sleep(1)
        start = time.monotonic()
        self.start()
        return f"kill -9 of the whole server ({len(pids)} processes), restarted in {time.monotonic() - start:.1f} s"

    def disk_full(self) -> str:
        filler = self.media / "soak-filler"
        with open(filler, "wb") as out:
            try:
                while True:
                    out.write(b"\0" * (1 << 20))
            except OSError:
                pass
        return f"photo folder full ({PHOTO_FOLDER_MB} MB tmpfs filled)"

    def heal_disk_full(self) -> None:
        (self.media / "soak-filler").unlink(missing_ok=True)

    def store_readonly(self) -> str:
        subprocess.run(["mount", "-o", "remount,ro", str(self.media)], check=True)
        return "photo folder remounted read-only"

    def heal_store_readonly(self) -> None:
        subprocess.run(["mount", "-o", "remount,rw", str(self.media)], check=True)

    def _database_files(self) -> list[Path]:
        return sorted(p for p in self.data_dir.glob("*.sqlite3*") if not p.name.endswith("-shm"))

    def db_readonly(self) -> str:
        files = self._database_files()
        subprocess.run(["chattr", "+i", *map(str, files)], check=True)
        return f"database files made immutable: {', '.join(p.name for p in files)}"

    def heal_db_readonly(self) -> None:
        subprocess.run(["chattr", "-i", *map(str, self._database_files())], check=False)

    FAULTS = {
        "app-worker": ("kill_app_worker", None),
        "task-worker": ("kill_task_worker", None),
        "disk-full": ("disk_full", "heal_disk_full"),
        "store-readonly": ("store_readonly", "heal_store_readonly"),
        "db-readonly": ("db_readonly", "heal_db_readonly"),
        "server": ("kill_server", None),
    }
