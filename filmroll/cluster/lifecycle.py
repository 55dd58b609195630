"""`filmroll cluster up|down|status`: every part of the cluster as its own process on this
machine, state under $FILMROLL_DATA_DIR/cluster, in the order the parts need each other."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

from filmroll import config
from filmroll.cluster import supervise
from filmroll.cluster.topology import (
    APP_SERVERS,
    BASE_PORTS,
    DATABASES,
    QUEUES,
    REDIS,
    Topology,
    environ,
    pg_bin,
)
from filmroll.sharding import replicas

Progress = Callable[[str], None]
TOOLS = ("nginx", "pgbouncer", "redis-server", "memcached", "rabbitmq-server", "openssl")


class ClusterError(Exception):
    """The cluster cannot start or be reached; the message says what to do."""


def _sh(*args: str, user: str | None = None) -> None:
    command = ["runuser", "-u", user, "--", *args] if user else list(args)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise ClusterError(f"{' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not listening(port):
        if time.monotonic() > deadline:
            raise ClusterError(f"{what} does not answer on port {port}: see its log")
        time.sleep(0.1)


def _check_tools() -> None:
    missing = [
        tool
        for tool in TOOLS
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin")
    ]
    if missing:
        raise ClusterError(f"missing {', '.join(missing)}: run `make cluster`, which installs them")
    pg_bin()


def _owned(path: Path, user: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    shutil.chown(path, user, user)
    done = subprocess.run(["runuser", "-u", user, "--", "test", "-w", str(path)])
    if done.returncode:
        raise ClusterError(
            f"the {user} user cannot reach {path}: put FILMROLL_DATA_DIR where every user may"
            " pass through its parents (chmod o+x), not under a private directory"
        )
    return path


def _prepare(topology: Topology, progress: Progress) -> dict[str, str]:
    """Directories, databases' files, the TLS certificate, rabbitmq's files; the template values."""
    root = topology.root
    pg = _owned(root / "pg", "postgres")
    for server in DATABASES:
        if not (pg / server / "PG_VERSION").exists():
            progress(f"initdb: PostgreSQL {server}")
            _sh(
                str(pg_bin() / "initdb"), "-D", str(pg / server), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", user="postgres",
            )  # fmt: skip
        if not (pg / f"pgbouncer-{server}.ini").exists():
            supervise.write_pgbouncer(topology, server, topology.port(f"pg_{server}"))
    for name in REDIS:
        (root / "redis" / name).mkdir(parents=True, exist_ok=True)
        (root / "redis" / f"{name}_replica").mkdir(parents=True, exist_ok=True)
    rabbit = _owned(root / "rabbitmq", "rabbitmq")
    (rabbit / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{topology.port('rabbitmq')}\n"
    )
    (rabbit / "enabled_plugins").write_text("[].\n")
    for sub in ("mnesia", "log"):
        _owned(rabbit / sub, "rabbitmq")
    settings = config.load(environ(topology))  # what the app processes will run with
    tls = root / "tls"
    cert = Path(settings.tls_cert or tls / "cert.pem")
    key = Path(settings.tls_key or tls / "key.pem")
    if not cert.exists():
        progress("making a self-signed TLS certificate for nginx")
        tls.mkdir(parents=True, exist_ok=True)
        _sh(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        )  # fmt: skip
    return topology.values(cert, key, settings.max_upload_bytes // config.MB + 2)


def _replicas(topology: Topology, progress: Progress) -> None:
    pg = topology.root / "pg"
    for server in DATABASES:
        target = pg / f"{server}_replica"
        if (target / "PG_VERSION").exists():
            continue
        progress(f"pg_basebackup: a streaming replica of PostgreSQL {server}")
        if target.exists():
            shutil.rmtree(target)
        _sh(
            str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(topology.port(f"pg_{server}")),
            "-U", "postgres", "-D", str(target), "-R", "-X", "stream", "-c", "fast",
            user="postgres",
        )  # fmt: skip


def up(topology: Topology, progress: Progress = print) -> None:
    _check_tools()
    topology.save()
    values = _prepare(topology, progress)
    supervise.write_configs(topology, values)
    if not supervise.running(topology):
        taken = [
            f"{part} {topology.port(part)}" for part in BASE_PORTS if listening(topology.port(part))
        ]
        if taken:
            raise ClusterError(
                f"ports in use: {', '.join(taken)}; stop what holds them, or give another"
                " --port-offset"
            )
        progress("starting supervisord")
        supervise.start_supervisord(topology)
    primaries = [f"pg_{s}" for s in DATABASES if not topology.promoted(s)]
    stores = [*(f"redis_{n}{k}" for n in REDIS for k in ("", "_replica")), "redis_sentinel"]
    progress("starting PostgreSQL, Redis, memcached, RabbitMQ")
    supervise.start(topology, [*primaries, *stores, "memcached_0", "memcached_1", "rabbitmq"])
    for name in primaries:
        wait_port(topology.port(name), name)
    _replicas(topology, progress)
    replicas = [f"pg_{s}_replica" for s in DATABASES]
    supervise.start(topology, [*replicas, *(f"pgbouncer_{s}" for s in DATABASES)])
    for name in ("rabbitmq", *(f"pgbouncer_{s}" for s in DATABASES)):
        wait_port(topology.port(name), name, timeout=120)
    progress("filmroll init: databases, shard map, schemas")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "filmroll"), "init"],
        env=environ(topology), capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise ClusterError(f"filmroll init failed:\n{done.stdout}{done.stderr}")
    apps = [f"app_{n}" for n in range(1, APP_SERVERS + 1)]
    progress("starting the app servers, task workers, beat and nginx")
    supervise.start(topology, [*apps, *(f"worker_{q}" for q in QUEUES), "beat", "nginx"])
    wait_healthy(topology)
    progress(f"cluster up: http://127.0.0.1:{topology.port('nginx_http')}/ and "
             f"https://127.0.0.1:{topology.port('nginx_https')}/")  # fmt: skip


def wait_healthy(topology: Topology, timeout: float = 120) -> None:
    """Until every backend answers the app, through nginx (/healthz/deep)."""
    url = f"http://127.0.0.1:{topology.port('nginx_http')}/healthz/deep"
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError as error:
            last = str(error)
        time.sleep(0.5)
    raise ClusterError(f"the cluster is not healthy ({url}: {last}); see {topology.logs}")


def down(topology: Topology) -> None:
    supervise.shutdown(topology)


def _health(topology: Topology, name: str) -> str:
    """A word or two on one part: its role and lag for databases and Redis, else up/down."""
    if name in ("beat",) or name.startswith("worker_"):
        return "-"
    port = topology.port(name if name != "nginx" else "nginx_http")
    if not listening(port):
        return "not answering"
    if name.startswith("pg_"):
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             connect_timeout=2) as conn:  # fmt: skip
            row = conn.execute(f"SELECT pg_is_in_recovery(), ({replicas.LAG_SQL})").fetchone()
        assert row is not None  # a SELECT without FROM gives one row
        recovery, lag = row
        return f"replica, {float(lag or 0):.1f} s behind" if recovery else "primary"
    if name == "redis_sentinel":
        masters = redis.Redis(port=port, socket_timeout=2).sentinel_masters()
        assert isinstance(masters, dict)  # by name, in RESP2 (a list only in RESP3)
        return "watching " + ", ".join(f"{n} at {m['port']}" for n, m in sorted(masters.items()))
    if name.startswith("redis_"):
        info = redis.Redis(port=port, socket_timeout=2).info("replication")
        return info["role"] + (
            f", link {info['master_link_status']}" if info["role"] == "slave" else ""
        )
    return "answering"


def status(topology: Topology) -> list[tuple[str, str, str, str]]:
    """(program, state, port, health) for every part."""
    if not supervise.running(topology):
        raise ClusterError(
            f"no cluster runs from {topology.data_dir}: `filmroll cluster up` starts it"
        )
    rows = []
    for info in supervise.processes(topology):
        name = info["name"]
        if name == "nginx":
            port = f"{topology.port('nginx_http')},{topology.port('nginx_https')}"
        else:
            port = str(topology.port(name)) if name in BASE_PORTS else ""
        health = _health(topology, name) if info["statename"] == "RUNNING" else "-"
        rows.append((name, info["statename"], port, health))
    return rows
