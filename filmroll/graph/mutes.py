"""Mutes: one person stops seeing another's posts in the home feed and their actions in the
activity feed, without a follow changing and without the muted person being told. Only the
muter's shard holds the row (`mutes`), so muting is one write and no one else's data moves.

Mutes are applied when the feeds are read (feeds/home.py, feeds/activity.py), never by taking
entries out of the feed store: unmuting brings everything back at once."""

from __future__ import annotations

import time

from filmroll import objcache
from filmroll.sharding import db, ids, replicas


def mute(user_id: int, muted_id: int) -> bool:
    """`user` mutes `muted`; False when they had already."""
    added = db.execute(
        ids.shard_of(user_id),
        "INSERT INTO {mutes} (user_id, muted_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [user_id, muted_id, int(time.time() * 1000)],
    )
    objcache.invalidate("muted", user_id)
    return bool(added)


def unmute(user_id: int, muted_id: int) -> bool:
    removed = db.execute(
        ids.shard_of(user_id),
        "DELETE FROM {mutes} WHERE user_id = %s AND muted_id = %s",
        [user_id, muted_id],
    )
    objcache.invalidate("muted", user_id)
    return bool(removed)


@replicas.on_primary
def muted(user_id: int, other_id: int) -> bool:
    """Whether `user` muted `other` (what `user`'s relationship with `other` shows)."""
    return other_id in muted_by(user_id)


def muted_by(user_id: int) -> frozenset[int]:
    """Everyone the user muted: one query on the user's shard, cached as the block set is
    (graph/edges._hidden_from) and dropped by each mute and unmute."""
    return objcache.fetch(muted_batch(user_id))[0][user_id]


def muted_batch(user_id: int) -> objcache.Batch:
    """The user's mute set, to fetch with other rows (objcache.fetch)."""
    return objcache.Batch("muted", [user_id], _load)


def _load(user_ids: list[int]) -> dict[int, frozenset[int]]:
    (user_id,) = user_ids
    rows = db.fetchall(
        ids.shard_of(user_id), "SELECT muted_id FROM {mutes} WHERE user_id = %s", [user_id]
    )
    return {user_id: frozenset(row[0] for row in rows)}
