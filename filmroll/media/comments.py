"""Comments: on the photo's shard, with IDs made there, so a comment's ID routes to its photo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from filmroll.accounts.models import User
from filmroll.activity import actions, events
from filmroll.errors import Forbidden, Invalid, NotFound
from filmroll.graph import edges, visibility
from filmroll.media import cache, photos, tags
from filmroll.observe import metrics
from filmroll.sharding import db, ids, outbox

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
    if text is not None and not isinstance(text, str):
        raise Invalid("text must be text")  # as a profile's fields say (JSON's 123 or [..])
    if text is None or not text.strip():
        raise Invalid("text is required")
    if "\x00" in text:
        raise Invalid("text must not contain NUL characters")
    if len(text) > MAX_TEXT:
        raise Invalid(f"text must be at most {MAX_TEXT} characters")
    media, owner = photos.visible(user.id, raw_media_id)
    if edges.blocked_between(user.id, [owner.id]):
        raise NotFound("no such media")
    text = text.strip()
    shard = ids.shard_of(media.id)  # the owner's: their event commits with the comment
    with db.atomic(shard):
        comment_id = db.insert(
            shard, "comments", {"media_id": media.id, "user_id": user.id, "text": text}
        )
        db.execute(shard, "UPDATE {media} SET comments = comments + 1 WHERE id = %s", [media.id])
        cache.invalidate(media.id)  # now, and again when this commits
        if user.id == owner.id and tags.parse(text):  # the owner's own #tags tag the photo
            outbox.enqueue(shard, "discovery.index_media", media.id)
        events.record(owner.id, "comment", user.id, media.id, text)
        record = outbox.remember(shard, TELL, media.id, comment_id) if mentions(text) else 0
    if record:
        outbox.finish(shard, record, lambda: tell_mentioned(media.id, comment_id))
    actions.record(user.id, "comment", media.id, comment_id)  # on the commenter's shard
    metrics.COMMENTS.inc()
    return Comment(comment_id, media.id, user.id, text)


TELL = "media.tell_mentioned"  # media/tasks.py
FORGET = "media.forget_comment"


def tell_mentioned(media_id: int, comment_id: int) -> None:
    """The people a comment @mentions learn of it, once each (the outbox may run this again)."""
    media = cache.get_many([media_id]).get(media_id)
    row = db.fetchone(
        ids.shard_of(media_id),
        "SELECT user_id, text FROM {comments} WHERE id = %s AND media_id = %s",
        [comment_id, media_id],
    )
    if media is None or row is None:
        return
    author_id, text = row
    owner = User.objects.filter(id=media.user_id).first()
    if owner is None:
        return
    named = User.objects.filter(username__in=mentions(text)).exclude(id=owner.id)
    for person in visibility.visible_people(author_id, named):
        if not visibility.can_see(person.id, owner):  # nobody learns of a photo they may not see
            continue
        told = db.fetchone(
            ids.shard_of(person.id),
            "SELECT 1 FROM {activity} WHERE user_id = %s AND kind = 'mention' AND actor_id = %s"
            " AND media_id = %s AND text = %s",
            [person.id, author_id, media_id, text],
        )
        if told is None:
            events.record(person.id, "mention", author_id, media_id, text)


class Page(NamedTuple):
    """Comments a viewer may see, newest first, and the cursor (`max_id`) of the older ones:
    taken from what was read, so a page thinned by blocks still leads on (None at the end)."""

    comments: list[Comment]
    older: int | None


def page(viewer: User | None, raw_media_id: Any, max_id: int | None, count: int) -> Page:
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
    older = found[-1].id if len(found) == count else None
    return Page([c for c in found if c.user_id in authors], older)


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
    author_id, text = row
    named = list(User.objects.filter(username__in=mentions(text)).values_list("id", flat=True))
    with db.atomic(shard):
        if db.execute(shard, "DELETE FROM {comments} WHERE id = %s", [comment_id]):
            db.execute(
                shard, "UPDATE {media} SET comments = comments - 1 WHERE id = %s", [media.id]
            )
        cache.invalidate(media.id)
        events.forget_comment([owner.id], author_id, media.id, text)  # the owner's: this shard
        if author_id == owner.id:
            outbox.enqueue(shard, "discovery.index_media", media.id)
        record = outbox.remember(shard, FORGET, named, author_id, media.id, text) if named else 0
    if record:
        outbox.finish(
            shard, record, lambda: events.forget_comment(named, author_id, media.id, text)
        )
    actions.forget(author_id, "comment", media.id, comment_id)


def forget_activity(media_id: int, owner_id: int) -> None:
    """A deleted photo: every activity event about it, the owner's and those of everyone its
    comments mentioned (found from the comments, which outlive the photo's row)."""
    rows = db.fetchall(
        ids.shard_of(media_id), "SELECT text FROM {comments} WHERE media_id = %s", [media_id]
    )
    named = {name for (text,) in rows for name in mentions(text)}
    told = User.objects.filter(username__in=named).values_list("id", flat=True)
    events.forget_media([owner_id, *told], media_id)
