"""Follow edges, stored on both users' shards: `following` on the follower's, `followers` on the
followed user's, so each side's list is one shard's range scan."""

from __future__ import annotations

import time

from filmroll.accounts import counts
from filmroll.sharding import db, ids


def add(source_id: int, target_id: int) -> bool:
    """`source` follows `target`; False when it already did. Counts move only on a new edge."""
    now = int(time.time() * 1000)
    with db.atomic(ids.shard_of(source_id)):
        added = db.execute(
            ids.shard_of(source_id),
            "INSERT INTO {following} (user_id, target_id, created_ms) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [source_id, target_id, now],
        )
        if added:
            counts.bump(source_id, "follows", 1)
    if not added:
        return False
    with db.atomic(ids.shard_of(target_id)):
        db.execute(
            ids.shard_of(target_id),
            "INSERT INTO {followers} (user_id, follower_id, created_ms) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [target_id, source_id, now],
        )
        counts.bump(target_id, "followed_by", 1)
    return True
