"""Who may see what: the one rule every read path applies."""

from __future__ import annotations

from filmroll.accounts.models import User
from filmroll.sharding import db, ids


def follows(source_id: int, target_id: int) -> bool:
    row = db.fetchone(
        ids.shard_of(source_id),
        "SELECT 1 FROM {following} WHERE user_id = %s AND target_id = %s",
        [source_id, target_id],
    )
    return row is not None


def can_see(viewer_id: int | None, owner: User) -> bool:
    """A private account's photos are seen only by its approved followers and itself."""
    if viewer_id == owner.id:
        return True
    if not owner.is_active:
        return False
    if not owner.is_private:
        return True
    return viewer_id is not None and follows(viewer_id, owner.id)
