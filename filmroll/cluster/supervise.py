"""The deploy/ files filled in, and supervisord, which runs every process of a cluster: started
once by `up`, asked over its socket to start, stop and signal programs, shut down by `down`."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path
from typing import Protocol, TypedDict, cast

from supervisor.xmlrpc import SupervisorTransport

from filmroll.cluster.topology import DEPLOY, REDIS, Topology

PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


def render(template: str, values: dict[str, str]) -> str:
    """A deploy/ template with its {{ name }} placeholders filled in; a name without a value is
    an error here rather than a broken config file later."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"deploy template names {{{{ {name} }}}}, which has no value")
        return values[name]

    return PLACEHOLDER.sub(value, template)


def write_configs(topology: Topology, values: dict[str, str]) -> None:
    etc = topology.root / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    for name in ("supervisord.conf", "nginx.conf"):
        (etc / name).write_text(render((DEPLOY / name).read_text(), values))
    for name in REDIS:
        for node, primary in ((name, ""), (f"{name}_replica", name)):
            conf = topology.root / "redis" / f"{node}.conf"
            if conf.exists():  # Sentinel rewrites it as it changes the node's role
                continue
            conf.parent.mkdir(parents=True, exist_ok=True)
            conf.write_text(render((DEPLOY / "redis.conf").read_text(), {
                "port": str(topology.port(f"redis_{node}")),
                "dir": str(topology.root / "redis" / node),
                "pidfile": str(topology.run / f"redis_{node}.pid"),
                "replicaof": f"replicaof 127.0.0.1 {topology.port(f'redis_{primary}')}" if primary else "",
            }))  # fmt: skip
    sentinel = topology.root / "redis" / "sentinel.conf"
    if not sentinel.exists():  # Sentinel keeps what it learns (fail-overs) in this file
        sentinel.parent.mkdir(parents=True, exist_ok=True)
        sentinel.write_text(render((DEPLOY / "sentinel.conf").read_text(), values))


def write_pgbouncer(topology: Topology, server: str, target_port: int) -> Path:
    """pgbouncer's config for `server`, pointed at PostgreSQL on `target_port` (the primary, or
    after a fail-over the promoted replica). It lives beside the databases: pgbouncer runs as
    the postgres user."""
    pg = topology.root / "pg"
    auth = pg / "pgbouncer-users.txt"
    auth.write_text('"postgres" ""\n')
    path = pg / f"pgbouncer-{server}.ini"
    values = {
        "name": server,
        "port": str(topology.port(f"pgbouncer_{server}")),
        "server_port": str(target_port),
        "auth_file": str(auth),
        "logs": str(pg),
    }
    path.write_text(render((DEPLOY / "pgbouncer.ini").read_text(), values))
    return path


class ProcessInfo(TypedDict):
    """The fields of supervisord's process info that we read."""

    name: str
    statename: str
    pid: int


class Supervisor(Protocol):
    """The part of supervisord's XML-RPC `supervisor` namespace that we call."""

    def getState(self) -> dict[str, str | int]: ...
    def getAllProcessInfo(self) -> list[ProcessInfo]: ...
    def getProcessInfo(self, name: str) -> ProcessInfo: ...
    def startProcess(self, name: str, wait: bool) -> bool: ...
    def stopProcess(self, name: str, wait: bool) -> bool: ...
    def signalProcess(self, name: str, signal: str) -> bool: ...
    def shutdown(self) -> bool: ...


def client(topology: Topology) -> Supervisor:
    socket = f"unix://{topology.run / 'supervisor.sock'}"
    proxy = xmlrpc.client.ServerProxy(
        "http://127.0.0.1", transport=SupervisorTransport(None, None, socket)
    )
    # XML-RPC methods are looked up by name at run time; the Protocol says what they return.
    return cast(Supervisor, proxy.supervisor)


def running(topology: Topology) -> bool:
    try:
        return client(topology).getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Fault):
        return False


def start_supervisord(topology: Topology) -> None:
    topology.run.mkdir(parents=True, exist_ok=True)
    topology.logs.mkdir(parents=True, exist_ok=True)
    conf = topology.root / "etc" / "supervisord.conf"
    subprocess.run([str(Path(sys.executable).parent / "supervisord"), "-c", str(conf)], check=True)
    for _ in range(100):
        if running(topology):
            return
        time.sleep(0.1)
    raise RuntimeError(f"supervisord did not start: see {topology.logs / 'supervisord.log'}")


def start(topology: Topology, names: list[str]) -> None:
    """Start programs (all at once; each is up once it has run for its startsecs)."""
    rpc = client(topology)
    states = {p["name"]: p["statename"] for p in rpc.getAllProcessInfo()}
    for name in names:
        if states.get(name) != "RUNNING":
            rpc.startProcess(name, False)
    for name in names:
        wait_state(topology, name, "RUNNING")


def stop(topology: Topology, name: str) -> None:
    rpc = client(topology)
    if rpc.getProcessInfo(name)["statename"] in ("RUNNING", "STARTING"):
        rpc.stopProcess(name, True)


def wait_state(topology: Topology, name: str, state: str, timeout: float = 60) -> None:
    rpc = client(topology)
    deadline = time.monotonic() + timeout
    while True:
        info = rpc.getProcessInfo(name)
        if info["statename"] == state:
            return
        if info["statename"] in ("FATAL", "BACKOFF", "EXITED") or time.monotonic() > deadline:
            raise RuntimeError(
                f"{name} is {info['statename']}, not {state}: see {topology.logs / (name + '.log')}"
            )
        time.sleep(0.1)


def processes(topology: Topology) -> list[ProcessInfo]:
    return client(topology).getAllProcessInfo()


def pid(topology: Topology, name: str) -> int:
    return client(topology).getProcessInfo(name)["pid"]


def shutdown(topology: Topology) -> None:
    """Stop every program, then supervisord itself; returns once it has gone."""
    pidfile = topology.run / "supervisord.pid"
    if not running(topology):
        return
    client(topology).shutdown()
    for _ in range(600):
        if not pidfile.exists():
            return
        time.sleep(0.1)
    raise RuntimeError(f"supervisord did not stop: see {topology.logs / 'supervisord.log'}")


def repoint_pgbouncer(topology: Topology, server: str) -> None:
    """Point `server`'s pgbouncer at its (promoted) replica and have it reload: pooled
    connections to the old primary go, new ones reach the replica."""
    write_pgbouncer(topology, server, topology.port(f"pg_{server}_replica"))
    client(topology).signalProcess(f"pgbouncer_{server}", "HUP")
    topology.save()  # the settings file: no replica for `server` now, maintenance to the new primary
