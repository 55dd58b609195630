"""Likes: kept on the photo's shard (who liked it) and the liker's (what they liked). The
photo's side is the truth; the liker's follows it (settle), through the outbox when a process
dies or a shard fails in between (sharding/outbox.py)."""

from __future__ import annotations

import time

from filmroll.accounts.models import User
from filmroll.activity import actions, events
from filmroll.graph import visibility
from filmroll.media import cache, photos
from filmroll.observe import metrics
from filmroll.sharding import db, ids, outbox, replicas


def like(user: User, raw_id: object) -> None:
    """Liking twice is one like. The photo's side (`likes` and its count) commits with an outbox
    record that finishes the liker's side (settle), done at once; a retry repairs it too."""
    media, _ = photos.visible(user.id, raw_id)
    shard, now = ids.shard_of(media.id), int(time.time() * 1000)
    with db.atomic(shard):
        added = db.execute(
            shard,
            "INSERT INTO {likes} (media_id, user_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [media.id, user.id, now],
        )
        if added:
            db.execute(shard, "UPDATE {media} SET likes = likes + 1 WHERE id = %s", [media.id])
            record = outbox.remember(shard, SETTLE, user.id, media.id)
            cache.invalidate(media.id)  # now, and again when this commits
    if not added:
        settle(user.id, media.id)  # repairs what an earlier attempt left half made
        return
    outbox.finish(shard, record, lambda: settle(user.id, media.id))
    metrics.LIKES.inc()


def unlike(user: User, raw_id: object) -> None:
    media, _ = photos.visible(user.id, raw_id)
    shard = ids.shard_of(media.id)
    with db.atomic(shard):
        removed = db.execute(
            shard, "DELETE FROM {likes} WHERE media_id = %s AND user_id = %s", [media.id, user.id]
        )
        if removed:
            db.execute(shard, "UPDATE {media} SET likes = likes - 1 WHERE id = %s", [media.id])
            record = outbox.remember(shard, SETTLE, user.id, media.id)
            cache.invalidate(media.id)
    if not removed:
        settle(user.id, media.id)
        return
    outbox.finish(shard, record, lambda: settle(user.id, media.id))


SETTLE = "media.settle_like"  # media/tasks.py


@replicas.on_primary
def _liked(user_id: int, media_id: int) -> bool:
    return (
        db.fetchone(
            ids.shard_of(media_id),
            "SELECT 1 FROM {likes} WHERE media_id = %s AND user_id = %s",
            [media_id, user_id],
        )
        is not None
    )


def settle(user_id: int, media_id: int) -> None:
    """Make the liker's side (`user_likes`) and the owner's activity match the photo's side,
    which is the truth, and drop the photo's cached counts. Idempotent; reads the photo's side
    again after writing, so concurrent settles end agreeing with the last like or unlike."""
    outbox.settle(
        lambda: _liked(user_id, media_id),
        lambda wanted: _mirror(user_id, media_id, wanted),
        f"the like of {media_id} by {user_id}",
    )
    cache.invalidate(media_id)
    cache.invalidate_liked(user_id, media_id)  # the flag is read from `user_likes`


def _mirror(user_id: int, media_id: int, wanted: bool) -> None:
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        if wanted:
            moved = db.execute(
                shard,
                "INSERT INTO {user_likes} (user_id, media_id, created_ms) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [user_id, media_id, int(time.time() * 1000)],
            )
        else:
            moved = db.execute(
                shard,
                "DELETE FROM {user_likes} WHERE user_id = %s AND media_id = %s",
                [user_id, media_id],
            )
        media = cache.get_many([media_id]).get(media_id) if moved else None
        if media is not None:
            # Before the liker's row commits: at worst told twice (a like's event replaces the
            # earlier one), never left untold.
            if wanted:
                events.record(media.user_id, "like", user_id, media_id)
                actions.record(user_id, "like", media_id)  # the liker's own list: one write
            else:
                events.forget(media.user_id, "like", user_id, media_id)
                actions.forget(user_id, "like", media_id)


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
