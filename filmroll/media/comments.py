"""Comments: on the photo's shard, with IDs made there, so a comment's ID routes to its photo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.errors import Forbidden, Invalid, NotFound
from filmroll.graph import edges, visibility
from filmroll.media import cache, photos, tags
from filmroll.observe import metrics
from filmroll.sharding import db, ids
from filmroll.tasks.dispatch import enqueue

MAX_TEXT = 2200
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9._]{1,30})")


@dataclass(frozen=True)
class Comment:
    id: int
    media_id: int
    user_id: int
    text: str


def mentions(text: str) -> list[str]:
    return list(dict.fromkeys(name.lower().rstrip(".") for name in MENTION.findall(text)))


def add(user: User, raw_media_id: Any, text: Any) -> Comment:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("text is required")
    if "\x00" in text:
        raise Invalid("text must not contain NUL characters")
    if len(text) > MAX_TEXT:
        raise Invalid(f"text must be at most {MAX_TEXT} characters")
    media, owner = photos.visible(user.id, raw_media_id)
    if edges.blocked_between(user.id, [owner.id]):
        raise NotFound("no such media")
    text = text.strip()
    shard = ids.shard_of(media.id)
    with db.atomic(shard):
        comment_id = db.insert(
            shard, "comments", {"media_id": media.id, "user_id": user.id, "text": text}
        )
        db.execute(shard, "UPDATE {media} SET comments = comments + 1 WHERE id = %s", [media.id])
    cache.invalidate(media.id)
    if user.id == owner.id and tags.parse(text):  # the owner's own #tags tag the photo
        enqueue("discovery.index_media", media.id)
    events.record(owner.id, "comment", user.id, media.id, text)
    named = User.objects.filter(username__in=mentions(text)).exclude(id=owner.id)
    for person in visibility.visible_people(user.id, named):
        if visibility.can_see(person.id, owner):  # nobody learns of a photo they may not see
            events.record(person.id, "mention", user.id, media.id, text)
    metrics.COMMENTS.inc()
    return Comment(comment_id, media.id, user.id, text)


def page(viewer: User | None, raw_media_id: Any, max_id: int | None, count: int) -> list[Comment]:
    """A photo's comments, newest first, less those of anyone in a block with the viewer or
    gone (no one is in a block with an app reading public photos without a user)."""
    viewer_id = viewer.id if viewer else None
    media, _ = photos.visible(viewer_id, raw_media_id)
    found = db.select(
        ids.shard_of(media.id),
        Comment,
        "comments",
        "media_id = %s",
        [media.id],
        db.Keyset("id", max_id, count),
    )
    authors = {u.id for u in visibility.visible_people_by_id(viewer_id, [c.user_id for c in found])}
    return [c for c in found if c.user_id in authors]


def delete(viewer: User, raw_media_id: Any, raw_comment_id: Any) -> None:
    """The commenter or the photo's owner removes a comment."""
    media, owner = photos.visible(viewer.id, raw_media_id)
    try:
        comment_id = ids.parse(raw_comment_id)
    except ValueError:
        raise NotFound("no such comment") from None
    shard = ids.shard_of(media.id)
    row = db.fetchone(
        shard,
        "SELECT user_id, text FROM {comments} WHERE id = %s AND media_id = %s",
        [comment_id, media.id],
    )
    if row is None:
        raise NotFound("no such comment")
    if viewer.id not in (row[0], owner.id):
        raise Forbidden("only the commenter or the photo's owner may delete a comment")
    with db.atomic(shard):
        if db.execute(shard, "DELETE FROM {comments} WHERE id = %s", [comment_id]):
            db.execute(
                shard, "UPDATE {media} SET comments = comments - 1 WHERE id = %s", [media.id]
            )
    cache.invalidate(media.id)
    author_id, text = row
    told = [
        owner.id,
        *User.objects.filter(username__in=mentions(text)).values_list("id", flat=True),
    ]
    events.forget_comment(told, author_id, media.id, text)
    if author_id == owner.id:
        enqueue("discovery.index_media", media.id)


def forget_activity(media_id: int, owner_id: int) -> None:
    """A deleted photo: every activity event about it, the owner's and those of everyone its
    comments mentioned (found from the comments, which outlive the photo's row)."""
    rows = db.fetchall(
        ids.shard_of(media_id), "SELECT text FROM {comments} WHERE media_id = %s", [media_id]
    )
    named = {name for (text,) in rows for name in mentions(text)}
    told = User.objects.filter(username__in=named).values_list("id", flat=True)
    events.forget_media([owner_id, *told], media_id)
