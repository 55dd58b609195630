"""`filmroll cluster` under test: its own data directory and port offset, its faults made
through its own supervisord. Only programs this cluster started are killed or stopped (its
RabbitMQ is its own, on 5682 + offset; the machine's on 5672 is never touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
import urllib3

from bench.soak.embedded import ENV

LOGICAL_SHARDS = 16  # enough to spread over both servers, quick to make


class Cluster:
    mode = "cluster"

    def __init__(self, data_dir: Path, offset: int) -> None:
        self.data_dir, self.offset = data_dir.resolve(), offset
        self.env = {**os.environ, **ENV, "FILMROLL_DATA_DIR": str(self.data_dir)}
        self.base = f"https://127.0.0.1:{8443 + offset}"
        urllib3.disable_warnings()  # the cluster's own self-signed certificate

    def filmroll(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "filmroll.cli", *args],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip

    def topology(self):
        from filmroll.cluster import topology

        return topology.load(self.data_dir)

    def supervisor(self):
        from filmroll.cluster import supervise

        return supervise.client(self.topology())

    def up(self) -> None:
        if self.data_dir.exists():
            self.down()
            shutil.rmtree(self.data_dir)
        self.filmroll(
            "cluster", "up", "--port-offset", str(self.offset),
            "--logical-shards", str(LOGICAL_SHARDS),
        )  # fmt: skip
        exports = self.filmroll("cluster", "env").stdout
        for line in exports.splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            self.env[key] = value.strip("'")
        self.wait_healthy(120)

    def wait_healthy(self, seconds: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            try:
                answer = requests.get(f"{self.base}/healthz", timeout=2, verify=False)
                if answer.status_code == 200:
                    return time.monotonic() - start
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the cluster did not answer in {seconds} s")

    def down(self) -> None:
        if (self.data_dir / "cluster" / "topology.json").exists():
            subprocess.run(
                [sys.executable, "-m", "filmroll.cli", "cluster", "down"],
                env=self.env, capture_output=True, check=False,
            )  # fmt: skip

    # -- faults ---------------------------------------------------------------------------------

    def _kill(self, name: str) -> str:
        supervisor = self.supervisor()
        pid = supervisor.getProcessInfo(name)["pid"]
        supervisor.signalProcess(name, "KILL")
        time.sleep(3)
        after = supervisor.getProcessInfo(name)
        return f"kill -9 {name} (pid {pid}); 3 s later: {after['statename']} pid {after['pid']}"

    def kill_app_server(self) -> str:
        return self._kill("app_1")

    def kill_celery(self) -> str:
        return self._kill("worker_fanout")

    def kill_redis(self) -> str:
        return self._kill("redis_feeds0")

    def kill_memcached(self) -> str:
        return self._kill("memcached_0")

    def stop_rabbitmq(self) -> str:
        self.supervisor().stopProcess("rabbitmq", True)
        return "this cluster's RabbitMQ stopped"

    def start_rabbitmq(self) -> None:
        self.supervisor().startProcess("rabbitmq", True)

    def kill_postgres(self) -> str:
        note = self._kill("pg_a")
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "filmroll.cli", "shards", "promote", "a"],
            env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        said = (done.stdout + done.stderr).strip().splitlines()
        return (
            f"{note}; `filmroll shards promote a` exit {done.returncode} after"
            f" {time.monotonic() - start:.1f} s: {said[-1] if said else ''}"
        )

    FAULTS = {
        "app-server": ("kill_app_server", None),
        "celery": ("kill_celery", None),
        "redis": ("kill_redis", None),
        "memcached": ("kill_memcached", None),
        "rabbitmq": ("stop_rabbitmq", "start_rabbitmq"),
        "postgres": ("kill_postgres", None),
    }
