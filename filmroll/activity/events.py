"""Activity events ("ana liked your photo"): per user, on the user's shard, capped, newest first.
The store only: who may see which event is decided where the feed is assembled (feeds/activity.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from filmroll import objcache
from filmroll.sharding import db, ids, outbox

KINDS = ("like", "comment", "mention", "follow", "follow_request", "tag")

# The object cache's kind for what a user's unread count is read from (feeds/activity.py): its
# per-user version is replaced by every write to the user's events and to their seen marker.
MARKS = "unread"


def changed(user_id: int) -> None:
    """After a write to the user's events or seen marker (objcache.invalidate: again when the
    write's transaction commits)."""
    objcache.invalidate(MARKS, user_id)


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    actor_id: int
    media_id: int | None
    text: str


def record(
    user_id: int, kind: str, actor_id: int, media_id: int | None = None, text: str = ""
) -> None:
    """Tell `user` that `actor` did `kind`. Nobody is told of their own doing; liking and
    following again replace the earlier event instead of repeating it."""
    if actor_id == user_id:
        return
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        if kind in ("like", "follow", "follow_request"):
            _forget(user_id, kind, actor_id, media_id)
        event_id = db.insert(
            shard,
            "activity",
            {
                "user_id": user_id,
                "kind": kind,
                "actor_id": actor_id,
                "media_id": media_id,
                "text": text,
            },
        )
        db.execute(
            shard,
            "DELETE FROM {activity} WHERE user_id = %s AND id < (SELECT id FROM {activity} WHERE user_id = %s"
            " ORDER BY id DESC LIMIT 1 OFFSET %s)",
            [user_id, user_id, settings.FILMROLL.activity_cap - 1],
        )
        # to the user's phones and browsers: sent when the event commits, never lost after
        outbox.enqueue(shard, "push.deliver", user_id, event_id)
        changed(user_id)


def forget(user_id: int, kind: str, actor_id: int, media_id: int | None = None) -> None:
    """Take back an event (an unlike, an unfollow, a request approved or ignored)."""
    _forget(user_id, kind, actor_id, media_id)
    changed(user_id)


def _forget(user_id: int, kind: str, actor_id: int, media_id: int | None) -> None:
    media = "media_id IS NULL" if media_id is None else "media_id = %s"
    db.execute(
        ids.shard_of(user_id),
        f"DELETE FROM {{activity}} WHERE user_id = %s AND kind = %s AND actor_id = %s AND {media}",
        [user_id, kind, actor_id] + ([] if media_id is None else [media_id]),
    )


def page(user_id: int, max_id: int | None, count: int) -> list[Event]:
    """The user's events, newest first, below `max_id`."""
    return db.select(
        ids.shard_of(user_id),
        Event,
        "activity",
        "user_id = %s",
        [user_id],
        db.Keyset("id", max_id, count),
    )


def get(user_id: int, event_id: int) -> Event | None:
    found = db.select(
        ids.shard_of(user_id), Event, "activity", "user_id = %s AND id = %s", [user_id, event_id]
    )
    return found[0] if found else None


def newer(user_id: int, after_id: int, most: int) -> list[Event]:
    """The user's events newer than `after_id`, newest first, at most `most` of them."""
    return db.select(
        ids.shard_of(user_id),
        Event,
        "activity",
        "user_id = %s AND id > %s",
        [user_id, after_id],
        db.Keyset("id", None, most),
    )


def newest_id(user_id: int) -> int:
    """The id of the user's newest event, 0 for none."""
    found = page(user_id, None, 1)
    return found[0].id if found else 0


def forget_between(a_id: int, b_id: int) -> None:
    """A block: neither person keeps an event the other made."""
    for user_id, actor_id in ((a_id, b_id), (b_id, a_id)):
        db.execute(
            ids.shard_of(user_id),
            "DELETE FROM {activity} WHERE user_id = %s AND actor_id = %s",
            [user_id, actor_id],
        )
        changed(user_id)


def forget_comment(user_ids: Iterable[int], actor_id: int, media_id: int, text: str) -> None:
    """A deleted comment: the events that carry its text ("commented", "mentioned you")."""
    for user_id in set(user_ids):
        db.execute(
            ids.shard_of(user_id),
            "DELETE FROM {activity} WHERE user_id = %s AND actor_id = %s AND media_id = %s"
            " AND kind IN ('comment', 'mention') AND text = %s",
            [user_id, actor_id, media_id, text],
        )
        changed(user_id)


def forget_media(user_ids: Iterable[int], media_id: int) -> None:
    """A deleted photo: every event about it, in the feeds of these users."""
    for user_id in set(user_ids):
        db.execute(
            ids.shard_of(user_id),
            "DELETE FROM {activity} WHERE user_id = %s AND media_id = %s",
            [user_id, media_id],
        )
        changed(user_id)
