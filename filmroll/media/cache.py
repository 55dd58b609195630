"""Media rows through the object cache; the misses from the shards in one query per physical
database."""

from __future__ import annotations

from collections.abc import Iterable

from filmroll import objcache
from filmroll.media.rows import Media, load_many


def get_many(media_ids: Iterable[int]) -> dict[int, Media]:
    return objcache.get_many("media", media_ids, load_many)


def invalidate(media_id: int) -> None:
    """After any change to the photo, its likes or its comments (media.previews caches those)."""
    objcache.invalidate("media", media_id)
    objcache.invalidate("previews", media_id)
