"""Deploys with Fabric, on many hosts at once (each task runs on every host in parallel):

    fab -r deploy deploy  --hosts web1,web2,web3 [--ref main]
    fab -r deploy migrate --hosts web1
    fab -r deploy restart --hosts web1,web2,web3
    fab -r deploy release --hosts web1,web2,web3   (all three, in that order)

`fab --dry -r deploy ...` prints each command with its host instead of running it.

Each host has a checkout at --app (/srv/filmroll) with its virtualenv in .venv, and its
settings (FILMROLL_*) in --env-file (/etc/filmroll/env), as deploy/systemd/ expects. `migrate`
runs once, on the first host: `filmroll init` brings every database and logical shard up to
date and is safe to run again. `restart` runs --command on every host: by default the systemd
units of deploy/systemd (app servers reload gracefully, workers finish their task first).
"""

from __future__ import annotations

import shlex

from fabric import Connection, ThreadingGroup, task
from invoke import Context

APP = "/srv/filmroll"
ENV_FILE = "/etc/filmroll/env"
RESTART = "sudo systemctl reload 'filmroll-app@*' && sudo systemctl restart 'filmroll-worker@*' filmroll-beat"


def _hosts(c: Context, hosts: str) -> list[Connection]:
    names = [h.strip() for h in hosts.split(",") if h.strip()]
    if not names:
        raise SystemExit("name the hosts: --hosts web1,web2")
    return [Connection(name, config=c.config) for name in names]


def _on_all(c: Context, hosts: str, command: str) -> None:
    """`command` on every host at once; stops with the hosts where it failed."""
    connections = _hosts(c, hosts)
    if c.config.run.dry:
        for connection in connections:
            print(f"[{connection.host}:{connection.port}] {command}")
        return
    results = ThreadingGroup.from_connections(connections).run(command, hide=True, warn=True)
    failed = {conn.host: r for conn, r in results.items() if r.failed}
    for connection, result in results.items():
        print(f"[{connection.host}:{connection.port}] exit {result.exited}")
    if failed:
        details = "; ".join(f"{host}: {r.stderr.strip()[-300:]}" for host, r in failed.items())
        raise SystemExit(f"failed on {', '.join(failed)}: {details}")


def _with_env(env_file: str, command: str) -> str:
    return f"set -a && . {shlex.quote(env_file)} && set +a && {command}"


@task
def deploy(c, hosts="", ref="main", app=APP, install=True):
    """Check out `ref` on every host and install it into the host's virtualenv."""
    steps = [
        f"cd {shlex.quote(app)}",
        "git fetch --quiet origin",
        f"git checkout --quiet --force {shlex.quote(ref)}",
    ]
    if install:
        steps.append(".venv/bin/pip install --quiet -e .")
    _on_all(c, hosts, " && ".join(steps))


@task
def migrate(c, hosts="", app=APP, env_file=ENV_FILE):
    """`filmroll init` once, on the first host: every database and logical shard up to date."""
    first = hosts.split(",")[0]
    _on_all(c, first, _with_env(env_file, f"cd {shlex.quote(app)} && .venv/bin/filmroll init"))


@task
def restart(c, hosts="", command=RESTART):
    """Restart filmroll's processes on every host (`command`: how, on these hosts)."""
    _on_all(c, hosts, command)


@task
def release(c, hosts="", ref="main", app=APP, env_file=ENV_FILE, command=RESTART, install=True):
    """deploy, migrate, restart."""
    deploy(c, hosts=hosts, ref=ref, app=app, install=install)
    migrate(c, hosts=hosts, app=app, env_file=env_file)
    restart(c, hosts=hosts, command=command)
