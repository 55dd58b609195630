"""Saved photos: a private list of photos a person keeps for later ("Saved"), kept on the saver's
own shard (`saved_media`), newest saved first. Only its owner ever reads it, and every read
checks again that each photo may still be seen: one gone private, behind a block or deleted
drops out of the list as if never saved (its row stays, and returns if it can be seen again)."""

from __future__ import annotations

from filmroll.accounts.models import User
from filmroll.errors import NotFound
from filmroll.media import cache, photos
from filmroll.media.rows import Media
from filmroll.sharding import db, ids


def save(user: User, raw_id: object) -> None:
    """Saving twice is one save; only a photo the user may see can be saved."""
    media, _ = photos.visible(user.id, raw_id)
    shard = ids.shard_of(user.id)
    # the save's own ID (made on the saver's shard) orders the list by when it was saved
    db.execute(
        shard,
        "INSERT INTO {saved_media} (id, user_id, media_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [db.new_ids(shard)[0], user.id, media.id],
    )
    cache.invalidate_saved(user.id, media.id)


def unsave(user: User, raw_id: str | int) -> None:
    """Take a photo off the list, even one that can no longer be seen."""
    try:
        media_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such media") from None
    db.execute(
        ids.shard_of(user.id),
        "DELETE FROM {saved_media} WHERE user_id = %s AND media_id = %s",
        [user.id, media_id],
    )
    cache.invalidate_saved(user.id, media_id)


def page(user: User, max_id: int | None, count: int) -> tuple[list[Media], int | None]:
    """One page of the user's saved photos, newest saved first, less those the user may no
    longer see, and the cursor of the next page (the save's own ID; None on the last)."""
    rows = db.page(
        ids.shard_of(user.id),
        "SELECT id, media_id FROM {saved_media} WHERE user_id = %s",
        [user.id],
        db.Keyset("id", max_id, count),
    )
    shown = photos.visible_many(user.id, [row[1] for row in rows])
    return shown, rows[-1][0] if len(rows) == count else None


def saved_by_viewer(viewer_id: int | None, media_ids: list[int]) -> set[int]:
    """Which of these photos the viewer saved (flags through the object cache)."""
    return set() if viewer_id is None else cache.saved(viewer_id, media_ids)
