"""Media rows through the object cache (memcached in a cluster, process memory embedded): one
multi-get, then the misses from the shards in one query per physical database."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from filmroll.media.rows import Media, load_many


def _ttl() -> int:
    # Memcached is shared, so a write's invalidation reaches every app server: keep rows a day.
    # Process memory is not shared between Gunicorn workers: keep rows only briefly.
    return 24 * 3600 if settings.FILMROLL.cache_servers else 5


def _key(media_id: int) -> str:
    return f"media:{media_id}"


def get_many(media_ids: Iterable[int]) -> dict[int, Media]:
    wanted = list(dict.fromkeys(media_ids))
    if not wanted:
        return {}
    hits = cache.get_many([_key(m) for m in wanted])
    found = {m: hits[_key(m)] for m in wanted if _key(m) in hits}
    missing = [m for m in wanted if m not in found]
    if missing:
        loaded = load_many(missing)
        cache.set_many(
            {_key(m): row for m, row in loaded.items()}, _ttl()
        )  # owner is never set here
        found.update(loaded)
    return found


def invalidate(media_id: int) -> None:
    cache.delete(_key(media_id))
