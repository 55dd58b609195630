"""Likes: kept on the photo's shard (who liked it) and the liker's (what they liked)."""

from __future__ import annotations

import time

from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.graph import visibility
from filmroll.media import cache, photos
from filmroll.observe import metrics
from filmroll.sharding import db, ids


def like(user: User, raw_id: object) -> None:
    """Liking twice is one like."""
    media, owner = photos.visible(user.id, raw_id)
    shard, now = ids.shard_of(media.id), int(time.time() * 1000)
    with db.atomic(shard):
        added = db.execute(
            shard,
            "INSERT INTO {likes} (media_id, user_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [media.id, user.id, now],
        )
        if added:
            db.execute(shard, "UPDATE {media} SET likes = likes + 1 WHERE id = %s", [media.id])
    if added:
        db.execute(
            user.shard,
            "INSERT INTO {user_likes} (user_id, media_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [user.id, media.id, now],
        )
        cache.invalidate(media.id)
        cache.invalidate_liked(user.id, media.id)
        events.record(owner.id, "like", user.id, media.id)
        metrics.LIKES.inc()


def unlike(user: User, raw_id: object) -> None:
    media, owner = photos.visible(user.id, raw_id)
    shard = ids.shard_of(media.id)
    with db.atomic(shard):
        removed = db.execute(
            shard, "DELETE FROM {likes} WHERE media_id = %s AND user_id = %s", [media.id, user.id]
        )
        if removed:
            db.execute(shard, "UPDATE {media} SET likes = likes - 1 WHERE id = %s", [media.id])
    if removed:
        db.execute(
            user.shard,
            "DELETE FROM {user_likes} WHERE user_id = %s AND media_id = %s",
            [user.id, media.id],
        )
        cache.invalidate(media.id)
        cache.invalidate_liked(user.id, media.id)
        events.forget(owner.id, "like", user.id, media.id)


def likers(viewer: User | None, raw_id: object, limit: int = 120) -> list[User]:
    """Who liked a photo the viewer may see, newest first, less anyone blocked either way (no
    one is, for an app reading public photos without a user)."""
    viewer_id = viewer.id if viewer else None
    media, _ = photos.visible(viewer_id, raw_id)
    rows = db.fetchall(
        ids.shard_of(media.id),
        "SELECT user_id FROM {likes} WHERE media_id = %s ORDER BY created_ms DESC LIMIT %s",
        [media.id, limit],
    )
    return visibility.visible_people_by_id(viewer_id, [row[0] for row in rows])


def liked_by_viewer(viewer_id: int | None, media_ids: list[int]) -> set[int]:
    """Which of these photos the viewer liked: flags through the object cache (media.cache),
    the misses in one query on the viewer's own shard."""
    return set() if viewer_id is None else cache.liked(viewer_id, media_ids)


def liked_page(user: User, max_id: int | None, count: int) -> list[int]:
    """IDs of photos the user liked, newest like first; the cursor is the like's photo ID order."""
    rows = db.page(
        user.shard,
        "SELECT media_id FROM {user_likes} WHERE user_id = %s",
        [user.id],
        db.Keyset("media_id", max_id, count),
    )
    return [row[0] for row in rows]
