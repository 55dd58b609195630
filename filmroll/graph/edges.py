"""Follow edges, follow requests and blocks. An edge is stored on both users' shards:
`following` on the follower's, `followers` on the followed user's, so each side's list is one
shard's range scan; requests live on the requested user's shard, blocks on the blocker's.

Two shards cannot share a transaction, so the follower's side is the truth: it commits with an
outbox record (sharding/outbox.py) of the task that makes the other side match (`settle`), which
runs at once and, if this process dies or the other shard fails first, from the outbox later."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings

from filmroll import objcache
from filmroll.accounts import counts
from filmroll.sharding import db, ids, outbox, replicas


def _now() -> int:
    return int(time.time() * 1000)


# Called inside the transaction that changes the followed side's row (on the followed user's
# shard), with (follower, followed, now_follows): the write layer's side effects.
Changed = Callable[[int, int, bool], None]

SETTLE_FOLLOW = "graph.settle_follow"  # graph/tasks.py: settle with the write layer's effects


def add(source_id: int, target_id: int, changed: Changed | None = None) -> bool:
    """`source` follows `target`; False when it did already. The follower's row, its count and
    an outbox record that finishes the edge commit together; the followed side's row and count
    follow at once (settle). If this process dies or the other shard fails in between, the
    record's task settles it; calling again repairs it too."""
    shard = ids.shard_of(source_id)
    with db.atomic(shard):
        added = db.execute(
            shard,
            "INSERT INTO {following} (user_id, target_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [source_id, target_id, _now()],
        )
        if added:
            counts.bump(source_id, "follows", 1)
            record = outbox.remember(shard, SETTLE_FOLLOW, source_id, target_id)
    if not added:
        settle(source_id, target_id, changed)  # repairs what an earlier attempt left half made
        return False
    outbox.finish(shard, record, lambda: settle(source_id, target_id, changed))
    return True


def remove(source_id: int, target_id: int, changed: Changed | None = None) -> bool:
    """`source` no longer follows `target`; False when it did not. Two shards, as `add`."""
    shard = ids.shard_of(source_id)
    with db.atomic(shard):
        removed = db.execute(
            shard,
            "DELETE FROM {following} WHERE user_id = %s AND target_id = %s",
            [source_id, target_id],
        )
        if removed:
            counts.bump(source_id, "follows", -1)
            record = outbox.remember(shard, SETTLE_FOLLOW, source_id, target_id)
    if not removed:
        settle(source_id, target_id, changed)
        return False
    outbox.finish(shard, record, lambda: settle(source_id, target_id, changed))
    return True


def settle(source_id: int, target_id: int, changed: Changed | None = None) -> None:
    """Make the followed side (`followers` and its count) match the follower's side, which is
    the truth. Idempotent. It reads the follower's side again after writing: a follow or
    unfollow that came in between is matched in the next round, so concurrent settles of the
    same pair end agreeing with the last change, with no lock held across two shards."""
    outbox.settle(
        lambda: follows(source_id, target_id),
        lambda wanted: _mirror(source_id, target_id, wanted, changed),
        f"the follow {source_id} -> {target_id}",
    )


def _mirror(source_id: int, target_id: int, wanted: bool, changed: Changed | None) -> None:
    shard = ids.shard_of(target_id)
    with db.atomic(shard):
        if wanted:
            moved = db.execute(
                shard,
                "INSERT INTO {followers} (user_id, follower_id, created_ms) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [target_id, source_id, _now()],
            )
        else:
            moved = db.execute(
                shard,
                "DELETE FROM {followers} WHERE user_id = %s AND follower_id = %s",
                [target_id, source_id],
            )
        if moved:
            counts.bump(target_id, "followed_by", 1 if wanted else -1)
            if changed:
                changed(source_id, target_id, wanted)


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


SETTLE_BLOCK = "graph.settle_block"  # graph/tasks.py

# Called by settle_block while `user` blocks `other`, (user, other): the write layer's clean-up
# (follows and requests both ways); it may run more than once.
Blocked = Callable[[int, int], None]


def add_block(user_id: int, blocked_id: int, then: Blocked | None = None) -> bool:
    """Kept on both shards (`blocks` on the blocker's, `blocked_by` on the blocked user's), so
    either side's check is one query on its own shard. The blocker's row commits with an outbox
    record that finishes the rest (settle_block); False when the block was there already (and
    the rest is finished again: a retry repairs)."""
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        added = db.execute(
            shard,
            "INSERT INTO {blocks} (user_id, blocked_id, created_ms) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [user_id, blocked_id, _now()],
        )
        record = outbox.remember(shard, SETTLE_BLOCK, user_id, blocked_id)
    _blocks_changed(user_id, blocked_id)
    outbox.finish(shard, record, lambda: settle_block(user_id, blocked_id, then))
    return bool(added)


def remove_block(user_id: int, blocked_id: int) -> bool:
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        removed = db.execute(
            shard,
            "DELETE FROM {blocks} WHERE user_id = %s AND blocked_id = %s",
            [user_id, blocked_id],
        )
        record = outbox.remember(shard, SETTLE_BLOCK, user_id, blocked_id)
    _blocks_changed(user_id, blocked_id)
    outbox.finish(shard, record, lambda: settle_block(user_id, blocked_id))
    return bool(removed)


def settle_block(user_id: int, other_id: int, then: Blocked | None = None) -> None:
    """Make `blocked_by` on the other's shard match `blocks` on the blocker's (read again after
    writing, as settle does), drop both people's cached block sets, and while the block stands
    run `then`. Idempotent."""
    if (
        outbox.settle(
            lambda: blocked(user_id, other_id),
            lambda wanted: _mirror_block(user_id, other_id, wanted),
            f"the block {user_id} -> {other_id}",
        )
        and then
    ):
        then(user_id, other_id)


def _mirror_block(user_id: int, other_id: int, wanted: bool) -> None:
    if wanted:
        db.execute(
            ids.shard_of(other_id),
            "INSERT INTO {blocked_by} (user_id, blocker_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [other_id, user_id],
        )
    else:
        db.execute(
            ids.shard_of(other_id),
            "DELETE FROM {blocked_by} WHERE user_id = %s AND blocker_id = %s",
            [other_id, user_id],
        )
    _blocks_changed(user_id, other_id)


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
