"""The state of every configured backend, for /healthz and people."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connections


def _timed(check) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        check()
        result: dict[str, Any] = {"ok": True}
    except Exception as error:  # any failure of a backend is a finding, not a crash
        result = {"ok": False, "error": f"{type(error).__name__}: {error}".strip()[:300]}
    result["ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def _database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")


def _storage() -> None:
    root = settings.MEDIA_ROOT
    root.mkdir(parents=True, exist_ok=True)
    probe = root / ".healthz"
    probe.write_bytes(b"ok")
    probe.unlink()


def check() -> tuple[bool, dict[str, Any]]:
    """(every required backend answers, the status of each)."""
    backends: dict[str, dict[str, Any]] = {}
    for alias in connections:
        kind = "global" if alias == "default" else "shard"
        name = "database:global" if alias == "default" else f"database:shard:{alias}"
        backends[name] = {
            "kind": kind,
            "engine": connections[alias].vendor,
            **_timed(lambda a=alias: _database(a)),
        }
    if not settings.FILMROLL.media_url:
        backends["storage:local"] = {"kind": "storage", **_timed(_storage)}
    healthy = all(b["ok"] for b in backends.values())
    return healthy, {
        "status": "ok" if healthy else "failing",
        "mode": _mode(),
        "backends": backends,
    }


def _mode() -> str:
    return "embedded" if settings.FILMROLL.embedded else "cluster"
