"""Media rows through the object cache; the misses from the shards in one query per physical
database. Also whether a viewer liked each photo, as flags through the same cache."""

from __future__ import annotations

from collections.abc import Iterable

from filmroll import objcache
from filmroll.media.rows import Media, load_many
from filmroll.sharding import db


def batch(media_ids: Iterable[int]) -> objcache.Batch:
    return objcache.Batch("media", media_ids, load_many)


def get_many(media_ids: Iterable[int]) -> dict[int, Media]:
    return objcache.fetch(batch(media_ids))[0]


def invalidate(media_id: int) -> None:
    """After any change to the photo, its likes or its comments (media.previews caches those,
    under the photo's version: previews.batch)."""
    objcache.invalidate("media", media_id, "previews")


def liked_batch(viewer_id: int, media_ids: Iterable[int]) -> objcache.Batch:
    """Whether the viewer liked each photo, one flag each: a feed read fetches them with its
    other rows instead of asking the viewer's shard every time. The misses in one query on it."""

    def load(missing: list[int]) -> dict[int, bool]:
        found = db.which(viewer_id, "user_likes", "media_id", missing)
        return {media_id: media_id in found for media_id in missing}

    return objcache.Batch(f"liked:{viewer_id}", media_ids, load, versioned_as=_marks(viewer_id))


def liked(viewer_id: int, media_ids: Iterable[int]) -> set[int]:
    found = objcache.fetch(liked_batch(viewer_id, media_ids))[0]
    return {media_id for media_id, yes in found.items() if yes}


def invalidate_liked(viewer_id: int, media_id: int) -> None:
    """After the viewer likes or unlikes the photo."""
    objcache.invalidate(_marks(viewer_id), media_id, f"liked:{viewer_id}", f"saved:{viewer_id}")


def saved_batch(viewer_id: int, media_ids: Iterable[int]) -> objcache.Batch:
    """Whether the viewer saved each photo (media/saved.py), one flag each, as `liked_batch`."""

    def load(missing: list[int]) -> dict[int, bool]:
        found = db.which(viewer_id, "saved_media", "media_id", missing)
        return {media_id: media_id in found for media_id in missing}

    return objcache.Batch(f"saved:{viewer_id}", media_ids, load, versioned_as=_marks(viewer_id))


def saved(viewer_id: int, media_ids: Iterable[int]) -> set[int]:
    found = objcache.fetch(saved_batch(viewer_id, media_ids))[0]
    return {media_id for media_id, yes in found.items() if yes}


def invalidate_saved(viewer_id: int, media_id: int) -> None:
    """After the viewer saves or unsaves the photo."""
    objcache.invalidate(_marks(viewer_id), media_id, f"liked:{viewer_id}", f"saved:{viewer_id}")


def _marks(viewer_id: int) -> str:
    """The version kind the viewer's like and save flags share: a warm page asks one version a
    photo for both (a like or a save makes both flags of the photo be read again)."""
    return f"marks:{viewer_id}"
