"""`filmroll cluster` under test: its own data directory and port offset, its faults made
through its own supervisord. Only programs this cluster started are killed or stopped (its
RabbitMQ is its own, on 5682 + offset; the machine's on 5672 is never touched)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
        self.ledger: Any = None  # the soak's, set before the load: `backup` copies it
        self.before_backup: dict[str, list] | None = None  # acknowledged when the backup began
        self.backup_folder = self.data_dir.with_name(self.data_dir.name + "-backup")
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

    def current_env(self) -> dict[str, str]:
        """The settings as they are now (after a promotion, maintenance goes to the replica)."""
        return {**self.env, **self.topology().app_env()}

    def backup(self) -> str:
        self.before_backup = self.ledger.acknowledged()
        shutil.rmtree(self.backup_folder, ignore_errors=True)
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "filmroll.cli", "backup", str(self.backup_folder)],
            env=self.current_env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            self.before_backup = None
            raise RuntimeError(f"`filmroll backup` exit {done.returncode}: {done.stderr[-500:]}")
        photos = json.loads((self.backup_folder / "manifest.json").read_text())["photos"]
        return (
            f"`filmroll backup` under load: {time.monotonic() - start:.1f} s, {photos} photo"
            f" files; {len(self.before_backup['uploads'])} uploads acknowledged before it"
        )

    def restore_fresh(self) -> dict[str, Any]:
        """The backup restored into a fresh install, as tests/cluster/test_backup.py does: new
        databases on this cluster's servers, a new data directory (photo store), a throwaway
        sessions Redis, no memcached; then the writes acknowledged before the backup looked up
        in it (`bench.soak.restored`)."""
        from filmroll.cluster.topology import PHYSICALS
        from tests.support.servers import free_port

        where, name = self.topology(), "soakrestore"
        fresh = self.data_dir.with_name(self.data_dir.name + "-restored")
        shutil.rmtree(fresh, ignore_errors=True)
        (fresh / "media").mkdir(parents=True)

        def direct(alias: str, server: str) -> str:
            return f"{alias}={where.pg_url(where.primary(server), f'{name}_{alias}', pooled=False)}"

        env = {
            **self.current_env(),
            "FILMROLL_DATA_DIR": str(fresh),
            "FILMROLL_SESSION_REDIS": f"redis://127.0.0.1:{(port := free_port())}/0",
            "FILMROLL_CACHE_SERVERS": "",
            "FILMROLL_DATABASE_URL": where.pg_url("global", f"{name}_global"),
            "FILMROLL_INDEX_DATABASE": where.pg_url("global", f"{name}_index"),
            "FILMROLL_SHARD_DATABASES": ",".join(
                f"{p}={where.pg_url(p, f'{name}_{p}')}" for p in PHYSICALS
            ),
            "FILMROLL_SHARD_REPLICAS": "",
            "FILMROLL_MAINTENANCE_DATABASES": ",".join(
                [direct("global", "global"), direct("index", "global"),
                 *(direct(p, p) for p in PHYSICALS)]
            ),
        }  # fmt: skip
        sessions = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
             "--dir", str(fresh)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(1)
            done = subprocess.run(
                [sys.executable, "-m", "filmroll.cli", "restore", str(self.backup_folder)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
        finally:
            sessions.terminate()
            sessions.wait()
        said = [line for line in done.stdout.splitlines() if "restored and checked" in line]
        found = {
            "restore": f"exit {done.returncode}: "
            + (said[-1] if said else (done.stdout + done.stderr).strip()[-300:]),
            "passed": done.returncode == 0 and bool(said),
        }
        looked = subprocess.run(
            [sys.executable, "-m", "bench.soak.restored"], env=env, capture_output=True,
            text=True, input=json.dumps(self.before_backup), check=False,
        )  # fmt: skip
        if looked.returncode:
            found["lookup"] = f"failed: {looked.stderr.strip()[-300:]}"
        else:
            found["missing"] = json.loads(looked.stdout.strip().splitlines()[-1])
        return found

    FAULTS = {
        "app-server": ("kill_app_server", None),
        "celery": ("kill_celery", None),
        "redis": ("kill_redis", None),
        "memcached": ("kill_memcached", None),
        "rabbitmq": ("stop_rabbitmq", "start_rabbitmq"),
        "postgres": ("kill_postgres", None),
        "backup": ("backup", None),  # restored into a fresh install after the audit
    }
