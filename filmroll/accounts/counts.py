"""Per-user counts (media, follows, followed_by), kept on the user's logical shard."""

from __future__ import annotations

from collections.abc import Iterable

from filmroll.sharding import db, ids

FIELDS = ("media", "follows", "followed_by")
ZERO = dict.fromkeys(FIELDS, 0)


def for_users(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Counts for many users, one query per physical database; zeros for users with none yet."""
    user_ids = list(user_ids)
    rows = db.fetch_by_keys("counts", user_ids, ", ".join(FIELDS), key="user_id")
    return {
        uid: dict(zip(FIELDS, rows[uid], strict=True)) if uid in rows else dict(ZERO)
        for uid in user_ids
    }


def bump(user_id: int, field: str, delta: int) -> int:
    """Add `delta` to one count in a single statement, so concurrent bumps never lose one; the
    new value."""
    if field not in FIELDS:
        raise ValueError(f"unknown count {field!r}")
    row = db.fetchone(
        ids.shard_of(user_id),
        f"INSERT INTO {{counts}} (user_id, {field}) VALUES (%s, %s)"
        f" ON CONFLICT (user_id) DO UPDATE SET {field} = {{counts}}.{field} + excluded.{field}"
        f" RETURNING {field}",
        [user_id, delta],
    )
    assert row is not None  # an upsert with RETURNING always gives its row
    return row[0]
