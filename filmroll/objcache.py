"""The object cache: rows by ID through Django's cache (memcached in a cluster, each process's
memory in the embedded default), one multi-get, then the misses from their loader at once.
Every write path invalidates what it changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.memcached import PyMemcacheCache

from filmroll.observe import metrics
from filmroll.sharding import replicas


class KeptPyMemcacheCache(PyMemcacheCache):
    """Django's pymemcache backend, keeping its connections between requests. Django closes
    them when each request ends, so every request paid a TCP connect per memcached server;
    each thread has its own client (Django's caches are per thread), so keeping them is safe."""

    def close(self, **kwargs: Any) -> None:
        pass


def ttl() -> int:
    # Memcached is shared, so an invalidation reaches every app server: keep rows a day. Process
    # memory is not shared between Gunicorn workers: keep rows only briefly.
    return 24 * 3600 if settings.FILMROLL.cache_servers else 5


def get_many(
    kind: str,
    keys: Iterable[int],
    load: Callable[[list[int]], dict[int, Any]],
    most_seconds: int = 24 * 3600,
) -> dict[int, Any]:
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    names = {f"{kind}:{key}": key for key in wanted}
    found = {names[name]: value for name, value in cache.get_many(list(names)).items()}
    missing = [key for key in wanted if key not in found]
    metrics.CACHE.labels(kind, "hit").inc(len(found))
    metrics.CACHE.labels(kind, "miss").inc(len(missing))
    if missing:
        # from primaries: a copy from a lagging replica would stay in the cache past the lag
        with replicas.primary():
            loaded = load(missing)
        cache.set_many(
            {f"{kind}:{key}": value for key, value in loaded.items()}, min(ttl(), most_seconds)
        )
        found.update(loaded)
    return found


def invalidate(kind: str, key: int) -> None:
    cache.delete(f"{kind}:{key}")
