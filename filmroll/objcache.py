"""The object cache: rows by ID from memcached in a cluster, one multi-get, then the misses from
their loader at once. Every write path invalidates what it changed, after it commits; no row is
served stale after that (versions below). The embedded default keeps no rows: see get_many."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.memcached import PyMemcacheCache
from django.db import connections, transaction

from filmroll.observe import metrics
from filmroll.sharding import replicas


class KeptPyMemcacheCache(PyMemcacheCache):
    """Django's pymemcache backend, keeping its connections between requests. Django closes
    them when each request ends, so every request paid a TCP connect per memcached server;
    each thread has its own client (Django's caches are per thread), so keeping them is safe."""

    def close(self, **kwargs: Any) -> None:
        pass


DAY = 24 * 3600


def get_many(
    kind: str,
    keys: Iterable[int],
    load: Callable[[list[int]], dict[int, Any]],
    most_seconds: int = DAY,
) -> dict[int, Any]:
    """Rows by key: cached ones whose version is current, the rest from `load` at once.

    Each key has a version in memcached, a random token that every write replaces
    (`invalidate`). An entry is stored with the version read before its row was loaded and is
    served only while that version is current, so a reader that loaded a row just before a
    write can never put the old row back after the write's invalidation. Entries and versions
    come in the same multi-get: one round trip, as before.
    """
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    if not settings.FILMROLL.cache_servers:
        # The embedded default has no memory shared by its processes, and a row kept in one
        # Gunicorn worker could not be told of a write made in another: read the (local) rows.
        metrics.CACHE.labels(kind, "miss").inc(len(wanted))
        return load(wanted)
    names = {key: f"{kind}:{key}" for key in wanted}
    got = cache.get_many([*names.values(), *(f"v:{name}" for name in names.values())])
    version = {key: got.get(f"v:{name}") for key, name in names.items()}
    found: dict[int, Any] = {}
    for key, name in names.items():
        entry = got.get(name)
        if entry is not None and version[key] is not None and entry[0] == version[key]:
            found[key] = entry[1]
    missing = [key for key in wanted if key not in found]
    metrics.CACHE.labels(kind, "hit").inc(len(found))
    metrics.CACHE.labels(kind, "miss").inc(len(missing))
    if missing:
        version.update(_versions(kind, [key for key in missing if version[key] is None]))
        # from primaries: a copy from a lagging replica would stay in the cache past the lag
        with replicas.primary():
            loaded = load(missing)
        cache.set_many(
            {names[key]: (version[key], value) for key, value in loaded.items() if version[key]},
            min(DAY, most_seconds),
        )
        found.update(loaded)
    return found


def _versions(kind: str, keys: list[int]) -> dict[int, str]:
    """Current versions of keys that had none (new, expired or evicted): a fresh random token
    each, unless another process set one first. A fresh token matches no stored entry."""
    if not keys:
        return {}
    for key in keys:
        cache.add(f"v:{kind}:{key}", secrets.token_hex(8), 2 * DAY)
    got = cache.get_many([f"v:{kind}:{key}" for key in keys])
    return {key: got[f"v:{kind}:{key}"] for key in keys if f"v:{kind}:{key}" in got}


def invalidate(kind: str, key: int) -> None:
    """After a write to the row: every cached copy of it is stale from now on. A write still
    inside a transaction is not visible yet, and a reader could load the old row under the new
    version meanwhile: the version is replaced again once each open transaction commits."""
    if not settings.FILMROLL.cache_servers:
        return

    def replace() -> None:
        cache.set(f"v:{kind}:{key}", secrets.token_hex(8), 2 * DAY)

    replace()
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            transaction.on_commit(replace, using=connection.alias)
