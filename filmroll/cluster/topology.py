"""What a one-machine cluster is made of: each part's name, port and place on disk, and the
FILMROLL_* settings its app processes run with. Everything derives from the data directory and
one port offset, so `up`, `status`, `down` and the shard tools agree without asking each other."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filmroll import config
from filmroll.config import datadir

PHYSICALS = ("a", "b")  # physical shard servers
DATABASES = ("global", *PHYSICALS)  # PostgreSQL servers, each with a replica and a pgbouncer
REDIS = ("feeds0", "feeds1", "sessions")
QUEUES = ("fanout", "feeds", "deletes", "index", "default")
APP_SERVERS = 2

# Ports before the offset. nginx's are the 8080 and 8443.
BASE_PORTS = {
    "nginx_http": 8080,
    "nginx_https": 8443,
    "app_1": 8101,
    "app_2": 8102,
    "pg_global": 5441,
    "pg_a": 5442,
    "pg_b": 5443,
    "pg_global_replica": 5451,
    "pg_a_replica": 5452,
    "pg_b_replica": 5453,
    "pgbouncer_global": 6441,
    "pgbouncer_a": 6442,
    "pgbouncer_b": 6443,
    "redis_feeds0": 6391,
    "redis_feeds0_replica": 6392,
    "redis_feeds1": 6393,
    "redis_feeds1_replica": 6394,
    "redis_sessions": 6395,
    "redis_sessions_replica": 6396,
    "redis_sentinel": 26391,
    "memcached_0": 11411,
    "memcached_1": 11412,
    "rabbitmq": 5682,
    "rabbitmq_dist": 25682,
}

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise FileNotFoundError(
            "PostgreSQL is not installed: run `make cluster`, which installs it"
        )
    return versions[-1]


@dataclass(frozen=True)
class Topology:
    data_dir: Path  # FILMROLL_DATA_DIR of the cluster's app processes
    offset: int = 0
    logical_shards: int = 256
    # other FILMROLL_* settings given to `up`, passed on to every app process
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def root(self) -> Path:
        return self.data_dir / "cluster"

    @property
    def logs(self) -> Path:
        return self.root / "log"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def port(self, part: str) -> int:
        return BASE_PORTS[part] + self.offset

    def pg_url(self, server: str, database: str, *, pooled: bool = True) -> str:
        """A URL of a PostgreSQL server: through its pgbouncer, or straight to it (`server`
        may be a replica, `a_replica`)."""
        port = self.port(f"pgbouncer_{server}" if pooled else f"pg_{server}")
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def promoted(self, server: str) -> bool:
        """Whether `server`'s replica was promoted (its pgbouncer points at the replica now)."""
        ini = self.root / "pg" / f"pgbouncer-{server}.ini"
        return ini.exists() and f"port={self.port(f'pg_{server}_replica')}" in ini.read_text()

    def primary(self, server: str) -> str:
        """`server` or, after a fail-over, its promoted replica (`a_replica`)."""
        return f"{server}_replica" if self.promoted(server) else server

    def app_env(self) -> dict[str, str]:
        """The settings every app process of the cluster runs with (docs/configuration.md)."""
        shards = ",".join(f"{p}={self.pg_url(p, f'filmroll_{p}')}" for p in PHYSICALS)
        replicas = ",".join(
            f"{p}={self.pg_url(f'{p}_replica', f'filmroll_{p}', pooled=False)}"
            for p in PHYSICALS
            if not self.promoted(p)
        )
        feeds = ",".join(f"sentinel://{n}/0" for n in REDIS[:2])
        return {
            **dict(self.extra),
            "FILMROLL_DATA_DIR": str(self.data_dir),
            "FILMROLL_DATABASE_URL": self.pg_url("global", "filmroll_global"),
            "FILMROLL_SHARD_DATABASES": shards,
            "FILMROLL_SHARD_REPLICAS": replicas,
            "FILMROLL_INDEX_DATABASE": self.pg_url("global", "filmroll_index"),
            "FILMROLL_MAINTENANCE_DATABASES": ",".join(
                [
                    f"global={self.pg_url(self.primary('global'), 'filmroll_global', pooled=False)}",
                    f"index={self.pg_url(self.primary('global'), 'filmroll_index', pooled=False)}",
                    *(
                        f"{p}={self.pg_url(self.primary(p), f'filmroll_{p}', pooled=False)}"
                        for p in PHYSICALS
                    ),
                ]
            ),
            "FILMROLL_FEED_REDIS": feeds,
            "FILMROLL_SESSION_REDIS": "sentinel://sessions/0",
            "FILMROLL_REDIS_SENTINELS": f"127.0.0.1:{self.port('redis_sentinel')}",
            "FILMROLL_CACHE_SERVERS": ",".join(
                f"127.0.0.1:{self.port(f'memcached_{n}')}" for n in (0, 1)
            ),
            "FILMROLL_BROKER_URL": f"amqp://guest:guest@127.0.0.1:{self.port('rabbitmq')}//",
            "FILMROLL_LOGICAL_SHARDS": str(self.logical_shards),
            "FILMROLL_TRUSTED_PROXIES": "127.0.0.1/32",
            "FILMROLL_ALLOWED_HOSTS": "localhost,127.0.0.1",
        }

    def values(self, tls_cert: Path, tls_key: Path, max_body_mb: int) -> dict[str, str]:
        """What the {{ ... }} of the deploy/ templates stand for."""
        servers = "\n".join(
            f"        server 127.0.0.1:{self.port(f'app_{n}')} max_fails=1 fail_timeout=10s;"
            for n in range(1, APP_SERVERS + 1)
        )
        env = ",".join(f'{key}="{value}"' for key, value in self.app_env().items())
        operators = config.value("operator_networks", self.app_env())
        values = {
            "data": str(self.root),
            "app_data": str(self.data_dir),
            "run": str(self.run),
            "logs": str(self.logs),
            "deploy": str(DEPLOY),
            "venv": str(Path(sys.executable).parent),
            "pg_bin": str(pg_bin()),
            "app_env": env,
            "app_servers": servers,
            "app_workers": "2",
            "http_port": str(self.port("nginx_http")),
            "https_port": str(self.port("nginx_https")),
            "tls_cert": str(tls_cert),
            "tls_key": str(tls_key),
            "max_body_mb": str(max_body_mb),
            "operator_allow": "\n".join(f"            allow {n};" for n in operators),
        }
        values.update({f"port_{part}": str(self.port(part)) for part in BASE_PORTS})
        return values

    def save(self) -> None:
        """Keep what the cluster is (cluster/topology.json) and the settings its app processes
        run with (the data directory's settings file, which every `filmroll` command run with
        this data directory reads). Saved again when a fail-over changes those settings."""
        self.root.mkdir(parents=True, exist_ok=True)
        state = {
            "offset": self.offset,
            "logical_shards": self.logical_shards,
            "extra": dict(self.extra),
        }
        (self.root / "topology.json").write_text(json.dumps(state))
        datadir.write_settings(self.data_dir, self.app_env(), by="`filmroll cluster up`")


def load(data_dir: Path) -> Topology:
    """The topology of the cluster whose state is under `data_dir`."""
    path = data_dir / "cluster" / "topology.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no cluster under {data_dir}: start one with `filmroll cluster up` "
            "(FILMROLL_DATA_DIR names where its state goes)"
        )
    state = json.loads(path.read_text())
    return Topology(
        data_dir, state["offset"], state["logical_shards"], tuple(state["extra"].items())
    )


def passed_on(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The FILMROLL_* settings of `env` (config.given()) that a new cluster's processes take
    over: all but those naming the cluster's own parts."""
    own = set(Topology(Path(".")).app_env())
    return tuple(
        sorted((k, v) for k, v in env.items() if k.startswith("FILMROLL_") and k not in own)
    )


def shell_exports(topology: Topology) -> str:
    """`export` lines for a shell that should talk to the cluster (`filmroll cluster env`)."""
    return "".join(f"export {k}='{v}'\n" for k, v in topology.app_env().items())


def environ(topology: Topology) -> dict[str, str]:
    """This process's environment with the cluster's settings in place of any FILMROLL_* ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env.update(topology.app_env())
    return env
