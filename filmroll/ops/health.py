"""The state of every configured backend, with timings: for /healthz/deep, `filmroll check`,
the status page and the metrics. /healthz itself checks nothing beyond this process answering,
so a load balancer polling it every second costs the backends nothing."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections

from filmroll.sharding import install

TIMEOUT = 2  # seconds any one backend may take


class Down(Exception):
    """A backend answers but is not doing its job: the message says how, `figures` what was seen."""

    def __init__(self, message: str, figures: dict[str, Any]) -> None:
        super().__init__(message)
        self.figures = figures


def _timed(check: Callable[[], Any]) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        figures = check()
        result: dict[str, Any] = {"ok": True, **(figures or {})}
    except Down as error:
        result = {"ok": False, "error": str(error), **error.figures}
    except install.Missing as error:  # says what to do already
        result = {"ok": False, "error": str(error)}
    except Exception as error:  # any failure of a backend is a finding, not a crash
        result = {"ok": False, "error": f"{type(error).__name__}: {error}".strip()[:300]}
    result["ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def _database(alias: str) -> None:
    db = connections[alias]
    if db.vendor == "sqlite" and not Path(db.settings_dict["NAME"]).exists():
        # opening it would make an empty file: report it missing instead
        raise FileNotFoundError(f"no database file {db.settings_dict['NAME']}")
    with db.cursor() as cursor:
        cursor.execute("SELECT 1")


def _local_storage() -> None:
    root = settings.MEDIA_ROOT
    root.mkdir(parents=True, exist_ok=True)
    probe = root / ".healthz"
    probe.write_bytes(b"ok")
    probe.unlink()


def _s3() -> None:
    from filmroll.files import storage

    backend = storage.backend()
    assert isinstance(backend, storage.S3)  # this check is listed only with FILMROLL_STORAGE=s3
    backend.client.head_bucket(Bucket=backend.bucket)


def _redis(url: str) -> Callable[[], None]:
    def ping() -> None:
        from filmroll import redisconn

        client = redisconn.client(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()

    return ping


def _memcached(server: str) -> Callable[[], None]:
    def version() -> None:
        from pymemcache.client.base import Client

        host, port = server.rsplit(":", 1)
        client = Client((host, int(port)), connect_timeout=TIMEOUT, timeout=TIMEOUT)
        try:
            client.version()
        finally:
            client.close()

    return version


def _broker() -> None:
    from kombu import Connection

    with Connection(settings.FILMROLL.broker_url, connect_timeout=TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT)


def task_worker() -> dict[str, Any]:
    """The embedded queue's worker: seconds since its last heartbeat (None when no worker runs
    here) and how long the oldest due task has waited; Down when the beat is stale (the worker
    hangs) or that wait is too long (nobody works off the queue, or it falls behind)."""
    from django.utils import timezone

    from filmroll.tasks.models import QueuedTask
    from filmroll.tasks.worker import beats_folder

    _database("default")  # the queue's database: never made empty by asking (no install yet)
    config, now = settings.FILMROLL, time.time()
    beats = []
    for beat in beats_folder().glob("worker-*.json"):
        try:
            pid = int(beat.stem.rsplit("-", 1)[1])
            os.kill(pid, 0)  # a worker killed without a goodbye left its file: not a beat
            beats.append(beat.stat().st_mtime)
        except (OSError, ValueError, IndexError):
            beat.unlink(missing_ok=True)
    oldest = (
        QueuedTask.objects.filter(failed=False, run_after__lte=timezone.now())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    age = round(now - max(beats), 1) if beats else None
    wait = round(max(0.0, now - oldest.timestamp()), 1) if oldest else 0.0
    figures = {"heartbeat_age": age, "oldest_task_wait": wait}
    if age is not None and age > config.task_heartbeat_stale_seconds:
        raise Down(
            f"the task worker's last heartbeat was {age:.0f} s ago"
            f" (FILMROLL_TASK_HEARTBEAT_STALE_SECONDS: {config.task_heartbeat_stale_seconds})",
            figures,
        )
    if wait > config.task_wait_limit_seconds:
        raise Down(
            f"the oldest due task has waited {wait:.0f} s"
            f" (FILMROLL_TASK_WAIT_LIMIT_SECONDS: {config.task_wait_limit_seconds}):"
            + (" is the task worker running?" if age is None else " the task worker falls behind"),
            figures,
        )
    return figures


def _where(url: str) -> str:
    """host:port of a URL, without credentials."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def checks() -> dict[str, tuple[str, str, Callable[[], Any]]]:
    """name -> (kind, where, check) for every backend this install uses."""
    config = settings.FILMROLL
    found: dict[str, tuple[str, str, Callable[[], Any]]] = {
        "install": ("filmroll", install.where(), install.check)
    }
    for alias in connections:
        name = {"default": "database:global", "index": "database:index"}.get(
            alias, f"database:shard:{alias}"
        )
        db = connections[alias].settings_dict
        where = (
            db["NAME"] if connections[alias].vendor == "sqlite" else f"{db['HOST']}:{db['PORT']}"
        )
        found[name] = (connections[alias].vendor, str(where), functools.partial(_database, alias))
    if config.storage == "s3":
        found["storage:s3"] = ("s3", config.s3_endpoint_url or "aws", _s3)
    elif not config.media_url:
        found["storage:local"] = ("files", str(settings.MEDIA_ROOT), _local_storage)
    for n, url in enumerate(config.feed_redis):
        found[f"redis:feeds:{n}"] = ("redis", _where(url), _redis(url))
    if config.session_redis:
        found["redis:sessions"] = (
            "redis",
            _where(config.session_redis),
            _redis(config.session_redis),
        )
    for server in config.cache_servers:
        found[f"memcached:{server}"] = ("memcached", server, _memcached(server))
    if config.broker_url:
        found["broker"] = ("rabbitmq", _where(config.broker_url), _broker)
    else:
        found["tasks:worker"] = ("tasks", "the queue table", task_worker)
    return found


def check() -> tuple[bool, dict[str, Any]]:
    """(every backend answers, the state of each with how long it took)."""
    backends = {
        name: {"kind": kind, "where": where, **_timed(run)}
        for name, (kind, where, run) in checks().items()
    }
    healthy = all(b["ok"] for b in backends.values())
    return healthy, {
        "status": "ok" if healthy else "failing",
        "mode": "embedded" if settings.FILMROLL.embedded else "cluster",
        "backends": backends,
    }
