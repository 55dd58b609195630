"""The few latest comments and likers a media object carries (v1's `comments.data` and
`likes.data`), for a whole list of photos at once: through the object cache, the misses in one
query per physical database. Every like and comment write drops the photo's entry
(media.cache.invalidate)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from filmroll import objcache
from filmroll.sharding import db

COMMENTS = 8  # as many as v1 sent in a media object
LIKERS = 4


@dataclass(frozen=True)
class Preview:
    comments: tuple[tuple[int, int, str], ...]  # (id, user_id, text), oldest first
    likers: tuple[int, ...]  # user IDs, latest like first


def _load(media_ids: list[int]) -> dict[int, Preview]:
    comments: dict[int, list] = defaultdict(list)
    for media_id, comment_id, user_id, text in db.latest_by_keys(
        "comments", media_ids, "media_id", "id, user_id, text", "id", COMMENTS
    ):
        comments[media_id].append((comment_id, user_id, text))
    likers: dict[int, list] = defaultdict(list)
    for media_id, user_id, created in db.latest_by_keys(
        "likes", media_ids, "media_id", "user_id, created_ms", "created_ms", LIKERS
    ):
        likers[media_id].append((created, user_id))
    return {
        m: Preview(
            tuple(sorted(comments[m])),
            tuple(user_id for _, user_id in sorted(likers[m], reverse=True)),
        )
        for m in media_ids
    }


def batch(media_ids: Iterable[int]) -> objcache.Batch:
    # every change to a photo's likes or comments goes through media.cache.invalidate, which
    # replaces the photo's version: its preview is checked against that one
    return objcache.Batch("previews", media_ids, _load, versioned_as="media")


def get_many(media_ids: Iterable[int]) -> dict[int, Preview]:
    return objcache.fetch(batch(media_ids))[0]
