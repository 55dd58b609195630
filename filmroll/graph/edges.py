"""Follow edges, follow requests and blocks. An edge is stored on both users' shards:
`following` on the follower's, `followers` on the followed user's, so each side's list is one
shard's range scan; requests live on the requested user's shard, blocks on the blocker's."""

from __future__ import annotations

import time

from django.conf import settings

from filmroll import objcache
from filmroll.accounts import counts
from filmroll.sharding import db, ids, replicas


def _now() -> int:
    return int(time.time() * 1000)


def add(source_id: int, target_id: int) -> int:
    """`source` follows `target`: the target's new follower count, or 0 when the edge was there
    already. Counts move only with a new edge, in the same transaction as the edge, so they stay
    exact under concurrency."""
    now = _now()
    with db.atomic(ids.shard_of(source_id)):
        added = db.execute(
            ids.shard_of(source_id),
            "INSERT INTO {following} (user_id, target_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [source_id, target_id, now],
        )
        if added:
            counts.bump(source_id, "follows", 1)
    if not added:
        return 0
    with db.atomic(ids.shard_of(target_id)):
        if db.execute(
            ids.shard_of(target_id),
            "INSERT INTO {followers} (user_id, follower_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [target_id, source_id, now],
        ):
            return counts.bump(target_id, "followed_by", 1)
    return counts.for_users([target_id])[target_id]["followed_by"]


def remove(source_id: int, target_id: int) -> bool:
    """`source` no longer follows `target`; False when it did not."""
    with db.atomic(ids.shard_of(source_id)):
        removed = db.execute(
            ids.shard_of(source_id),
            "DELETE FROM {following} WHERE user_id = %s AND target_id = %s",
            [source_id, target_id],
        )
        if removed:
            counts.bump(source_id, "follows", -1)
    with db.atomic(ids.shard_of(target_id)):
        if db.execute(
            ids.shard_of(target_id),
            "DELETE FROM {followers} WHERE user_id = %s AND follower_id = %s",
            [target_id, source_id],
        ):
            counts.bump(target_id, "followed_by", -1)
    return bool(removed)


@replicas.on_primary
def follows(source_id: int, target_id: int) -> bool:
    return (
        db.fetchone(
            ids.shard_of(source_id),
            "SELECT 1 FROM {following} WHERE user_id = %s AND target_id = %s",
            [source_id, target_id],
        )
        is not None
    )


@replicas.on_primary
def followed_among(source_id: int, target_ids: list[int]) -> set[int]:
    """Which of `target_ids` the source follows: one query on the source's shard."""
    return db.which(source_id, "following", "target_id", target_ids)


def add_request(target_id: int, requester_id: int) -> bool:
    return bool(
        db.execute(
            ids.shard_of(target_id),
            "INSERT INTO {follow_requests} (user_id, requester_id, created_ms) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [target_id, requester_id, _now()],
        )
    )


def remove_request(target_id: int, requester_id: int) -> bool:
    return bool(
        db.execute(
            ids.shard_of(target_id),
            "DELETE FROM {follow_requests} WHERE user_id = %s AND requester_id = %s",
            [target_id, requester_id],
        )
    )


@replicas.on_primary
def has_request(target_id: int, requester_id: int) -> bool:
    return (
        db.fetchone(
            ids.shard_of(target_id),
            "SELECT 1 FROM {follow_requests} WHERE user_id = %s AND requester_id = %s",
            [target_id, requester_id],
        )
        is not None
    )


def add_block(user_id: int, blocked_id: int) -> bool:
    """Kept on both shards (`blocks` on the blocker's, `blocked_by` on the blocked user's), so
    either side's check is one query on its own shard."""
    added = db.execute(
        ids.shard_of(user_id),
        "INSERT INTO {blocks} (user_id, blocked_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [user_id, blocked_id, _now()],
    )
    db.execute(
        ids.shard_of(blocked_id),
        "INSERT INTO {blocked_by} (user_id, blocker_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [blocked_id, user_id],
    )
    _blocks_changed(user_id, blocked_id)
    return bool(added)


def remove_block(user_id: int, blocked_id: int) -> bool:
    removed = db.execute(
        ids.shard_of(user_id),
        "DELETE FROM {blocks} WHERE user_id = %s AND blocked_id = %s",
        [user_id, blocked_id],
    )
    db.execute(
        ids.shard_of(blocked_id),
        "DELETE FROM {blocked_by} WHERE user_id = %s AND blocker_id = %s",
        [blocked_id, user_id],
    )
    _blocks_changed(user_id, blocked_id)
    return bool(removed)


@replicas.on_primary
def blocked(user_id: int, other_id: int) -> bool:
    """Whether `user` blocked `other`."""
    return (
        db.fetchone(
            ids.shard_of(user_id),
            "SELECT 1 FROM {blocks} WHERE user_id = %s AND blocked_id = %s",
            [user_id, other_id],
        )
        is not None
    )


@replicas.on_primary
def blocked_between(viewer_id: int, others: list[int]) -> set[int]:
    """Those of `others` who blocked the viewer or whom the viewer blocked."""
    if not others:
        return set()
    return set(others) & _hidden_from(viewer_id)


def _hidden_from(user_id: int) -> frozenset[int]:
    """Everyone the user blocked or was blocked by: one query on the user's shard. Every read
    path asks, so with shared memcached the set is cached, and dropped by each block and
    unblock; process memory is not shared between workers, so there it is never cached."""
    return objcache.fetch(hidden_batch(user_id))[0][user_id]


def hidden_batch(user_id: int) -> objcache.Batch:
    """The user's block set (`_hidden_from`), to fetch with other rows (objcache.fetch)."""
    return objcache.Batch("hidden", [user_id], _load_hidden)


def _load_hidden(user_ids: list[int]) -> dict[int, frozenset[int]]:
    (user_id,) = user_ids
    rows = db.fetchall(
        ids.shard_of(user_id),
        "SELECT blocked_id FROM {blocks} WHERE user_id = %s"
        " UNION SELECT blocker_id FROM {blocked_by} WHERE user_id = %s",
        [user_id, user_id],
    )
    return {user_id: frozenset(row[0] for row in rows)}


def _blocks_changed(user_id: int, other_id: int) -> None:
    if settings.FILMROLL.cache_servers:
        objcache.invalidate("hidden", user_id)
        objcache.invalidate("hidden", other_id)


def page(table: str, user_id: int, max_id: int | None, count: int) -> list[int]:
    """The other users' IDs of one user's `following` or `followers` list, highest ID first."""
    other = {
        "following": "target_id",
        "followers": "follower_id",
        "follow_requests": "requester_id",
    }[table]
    rows = db.page(
        ids.shard_of(user_id),
        f"SELECT {other} FROM {{{table}}} WHERE user_id = %s",
        [user_id],
        db.Keyset(other, max_id, count),
    )
    return [row[0] for row in rows]
