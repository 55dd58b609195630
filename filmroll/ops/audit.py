"""`filmroll check --data`: read every store and find what the writes left inconsistent, and
repair what can be repaired.

What it finds, and what `--repair` does about it:

- half-made edges: a follow, like or block whose two rows live on two shards, one of them missing
  (a process died between the two transactions, or a shard server was down): the missing half
  is added, since the first half committed means the request was made;
- half-made tags of people in photos: a tag in a photo's `people` with no `photos_of` row on the
  tagged person's shard, or a `photos_of` row the photo does not tag (or a photo that is gone):
  the photo's row is the truth (media/people.py), so the person's side is settled to match it,
  the missing row added or the stray one removed, as the outbox's task would have;
- counts that differ from their rows (a user's media, follows and followers; a photo's likes and
  comments): recounted from the rows, in one statement on the owner's shard;
- cached photos (memcached) whose counts differ from their rows: the cached copy is dropped;
- home feeds holding a photo more than once: rewritten with each photo once;
- orphan files: stored photo files no row names (and `.partial` files of interrupted writes):
  deleted once older than `orphan_age` (a day by default: younger ones may be uploads whose row
  is being written).

The scans read whole tables a shard at a time, from primaries; `progress` is told of each step.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from filmroll.accounts.models import User
from filmroll.feeds import store as feeds
from filmroll.files import storage
from filmroll.media import cache as media_cache
from filmroll.media import people
from filmroll.media.rows import file_keys
from filmroll.sharding import db, ids, replicas, shardmap

Progress = Callable[[str], None]
DAY = 86400
PROGRESS_EVERY = 2000  # users between progress lines of the feed scan

# (name, table, columns of the pair key on this side, the other side's table)
EDGES = {
    "follow": ("following", "user_id, target_id", "followers", "user_id, follower_id"),
    "like": ("likes", "media_id, user_id", "user_likes", "user_id, media_id"),
    "block": ("blocks", "user_id, blocked_id", "blocked_by", "user_id, blocker_id"),
}


@dataclass
class Report:
    """What one check found. Pairs are (from, to): a follow (follower, followed), a like
    (liker, photo), a block (blocker, blocked), with the side whose row is missing."""

    half_edges: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    # (person, photo, its owner, the side without the tag: "photos_of" or "people")
    half_tags: list[tuple[int, int, int, str]] = field(default_factory=list)
    user_counts: dict[int, tuple[dict[str, int], dict[str, int]]] = field(default_factory=dict)
    media_counts: dict[int, tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=dict)
    stale_cache: list[int] = field(default_factory=list)
    feed_duplicates: dict[int, int] = field(default_factory=dict)  # user -> extra entries
    orphans: list[tuple[str, float]] = field(default_factory=list)  # key, age in seconds
    orphan_age: float = DAY

    def old_orphans(self) -> list[str]:
        return [key for key, age in self.orphans if age >= self.orphan_age]

    def counts(self) -> dict[str, int]:
        """One number per kind of problem, in the order the table prints them."""
        found = {f"half-made {kind}s": len(self.half_edges.get(kind, [])) for kind in EDGES}
        found["half-made tags"] = len(self.half_tags)
        found["user counts off"] = len(self.user_counts)
        found["photo counts off"] = len(self.media_counts)
        found["stale cached counts"] = len(self.stale_cache)
        found["duplicate feed entries"] = sum(self.feed_duplicates.values())
        found["orphan files"] = len(self.old_orphans())
        found["recent orphan files"] = len(self.orphans) - found["orphan files"]
        return found

    def problems(self) -> int:
        """Problems found; recent orphan files may be uploads in flight and are not counted."""
        return sum(n for name, n in self.counts().items() if name != "recent orphan files")


def _rows(table: str, columns: str) -> Iterator[tuple]:
    """Every row of a shard table over all logical shards, once each (on SQLite the logical
    shards of one database share their tables)."""
    with replicas.primary():
        for alias in shardmap.physicals():
            shards = shardmap.logical_on(alias)
            if not db.is_postgres(alias):
                shards = shards[:1]
            for shard in shards:
                yield from db.fetchall(shard, f"SELECT {columns} FROM {{{table}}}")


def _half_edges(progress: Progress) -> dict[str, list[tuple[int, int, str]]]:
    found: dict[str, list[tuple[int, int, str]]] = {}
    for kind, (table, columns, other, other_columns) in EDGES.items():
        progress(f"reading {table} and {other}")
        here = set(_rows(table, columns))
        there = {(b, a) for a, b in _rows(other, other_columns)}  # turned to `table`'s order
        missing = [(a, b, other) for a, b in here - there] + [
            (a, b, table) for a, b in there - here
        ]
        if kind == "like":
            # rows of `table` are (photo, liker): report (liker, photo); a deleted photo's likes
            # stay behind on both sides, so a half like of a photo that is gone is no problem
            alive = _media_ids({a for a, _, _ in missing})
            missing = [(b, a, side) for a, b, side in missing if a in alive]
        found[kind] = sorted(missing)
    return found


def _half_tags(progress: Progress) -> list[tuple[int, int, int, str]]:
    progress("reading photos' people and photos_of")
    tagged = {
        (int(person[0]), media_id): owner_id
        for media_id, owner_id, text in _rows("media", "id, user_id, people")
        for person in json.loads(text or "[]")
    }
    listed = {
        (a, b): owner_id for a, b, owner_id in _rows("photos_of", "user_id, media_id, owner_id")
    }
    missing = [(a, b, owner_id, "photos_of") for (a, b), owner_id in tagged.items()
               if (a, b) not in listed]  # fmt: skip
    missing += [(a, b, owner_id, "people") for (a, b), owner_id in listed.items()
                if (a, b) not in tagged]  # fmt: skip
    return sorted(missing)


def _media_ids(wanted: set[int]) -> set[int]:
    if not wanted:
        return set()
    with replicas.primary():
        return set(db.fetch_by_keys("media", list(wanted), "id"))


def _user_counts(progress: Progress) -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    progress("counting users' photos, follows and followers from their rows")
    rows: dict[int, dict[str, int]] = {}
    for name, table in (("media", "media"), ("follows", "following"), ("followed_by", "followers")):
        for (user_id,) in _rows(table, "user_id"):
            rows.setdefault(user_id, dict.fromkeys(("media", "follows", "followed_by"), 0))
            rows[user_id][name] += 1
    stored = {
        user_id: {"media": media, "follows": follows, "followed_by": followed_by}
        for user_id, media, follows, followed_by in _rows(
            "counts", "user_id, media, follows, followed_by"
        )
    }
    zero = dict.fromkeys(("media", "follows", "followed_by"), 0)
    return {
        user_id: (stored.get(user_id, zero), rows.get(user_id, zero))
        for user_id in stored.keys() | rows.keys()
        if stored.get(user_id, zero) != rows.get(user_id, zero)
    }


def _media_counts(progress: Progress) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    progress("counting photos' likes and comments from their rows")
    likes = Counter(media_id for (media_id,) in _rows("likes", "media_id"))
    comments = Counter(media_id for (media_id,) in _rows("comments", "media_id"))
    return {
        media_id: ((stored_likes, stored_comments), (likes[media_id], comments[media_id]))
        for media_id, stored_likes, stored_comments in _rows("media", "id, likes, comments")
        if (stored_likes, stored_comments) != (likes[media_id], comments[media_id])
    }


def _stale_cache(progress: Progress) -> list[int]:
    """Photos whose current cached copy (memcached) has other counts than their row."""
    if not settings.FILMROLL.cache_servers:
        return []  # the embedded default caches no rows
    from django.core.cache import cache

    progress("comparing cached photos with their rows")
    stale = []
    media = list(_rows("media", "id, likes, comments"))
    for start in range(0, len(media), 500):
        batch = media[start : start + 500]
        names = [f"media:{row[0]}" for row in batch]
        got = cache.get_many([*names, *(f"v:{name}" for name in names)])
        for (media_id, likes, comments), name in zip(batch, names, strict=True):
            entry, version = got.get(name), got.get(f"v:{name}")
            if entry is None or version is None or entry[0] != version:
                continue  # not served: a reader loads the row
            if (entry[1].likes, entry[1].comments) != (likes, comments):
                stale.append(media_id)
    return stale


def _feed_duplicates(progress: Progress) -> dict[int, int]:
    found = {}
    store = feeds.store()
    user_ids = list(User.objects.values_list("id", flat=True).order_by("id"))
    progress(f"reading {len(user_ids)} home feeds")
    for n, user_id in enumerate(user_ids, 1):
        feed = store.read(user_id) or []
        if len(feed) != len(set(feed)):
            found[user_id] = len(feed) - len(set(feed))
        if n % PROGRESS_EVERY == 0:
            progress(f"  {n} of {len(user_ids)} feeds read")
    return found


def stored_files() -> Iterator[tuple[str, float]]:
    """Every stored file's key (or, on local disk, its path under the photo folder, `.partial`
    files included) and its age in seconds."""
    backend = storage.backend()
    now = time.time()
    if isinstance(backend, storage.S3):
        pages = backend.client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], now - item["LastModified"].timestamp()
        return
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return
    for path in root.rglob("*"):
        name = str(path.relative_to(root))
        if path.is_file() and (storage.KEY.match(name) or name.endswith(".partial")):
            try:
                yield name, now - path.stat().st_mtime
            except FileNotFoundError:  # deleted while listed
                continue


def referenced_files() -> set[str]:
    """Keys that rows name: every size of every photo (each of an album's), and avatars."""
    keys = {
        key for images, carousel in _rows("media", "images, carousel")
        for key in file_keys(images, carousel)
    }  # fmt: skip
    keys.update(User.objects.exclude(avatar_key="").values_list("avatar_key", flat=True))
    return keys


def _orphans(progress: Progress) -> list[tuple[str, float]]:
    progress("listing stored files")
    # rows first: a file stored after the listing of rows but before the listing of files
    # would look orphaned; such a file is young, and only old ones count as problems
    named = referenced_files()
    return sorted((key, age) for key, age in stored_files() if key not in named)


def check(progress: Progress = lambda line: None, orphan_age: float = DAY) -> Report:
    """Read every store; what is inconsistent."""
    return Report(
        half_edges=_half_edges(progress),
        half_tags=_half_tags(progress),
        user_counts=_user_counts(progress),
        media_counts=_media_counts(progress),
        stale_cache=_stale_cache(progress),
        feed_duplicates=_feed_duplicates(progress),
        orphans=_orphans(progress),
        orphan_age=orphan_age,
    )


def _now() -> int:
    return int(time.time() * 1000)


# each side of an edge (a, b): the shard's owner and the row's key there
SIDES = {
    "following": (0, "user_id", "target_id"),
    "followers": (1, "user_id", "follower_id"),
    "likes": (1, "media_id", "user_id"),
    "user_likes": (0, "user_id", "media_id"),
    "blocks": (0, "user_id", "blocked_id"),
    "blocked_by": (1, "user_id", "blocker_id"),
}


def _has(side: str, a: int, b: int) -> bool:
    owner, first, second = SIDES[side]
    key = (a, b) if owner == 0 else (b, a)
    return bool(
        db.fetchone(
            ids.shard_of(key[0]),
            f"SELECT 1 FROM {{{side}}} WHERE {first} = %s AND {second} = %s",
            list(key),
        )
    )


def still_half(kind: str, a: int, b: int, missing: str) -> bool:
    """Whether an edge is still half-made: the check ran a while ago, and a write in flight then
    (an unfollow between its two deletes) may have finished since."""
    here, there = EDGES[kind][0], EDGES[kind][2]
    present = there if missing == here else here
    with replicas.primary():
        return _has(present, a, b) and not _has(missing, a, b)


def tag_still_half(user_id: int, media_id: int) -> bool:
    """Whether the photo's people and the person's `photos_of` still disagree about a tag (an
    edit in flight at the check may have settled since)."""
    with replicas.primary():
        stored = db.fetchone(
            ids.shard_of(media_id), "SELECT people FROM {media} WHERE id = %s", [media_id]
        )
        listed = db.fetchone(
            ids.shard_of(user_id),
            "SELECT 1 FROM {photos_of} WHERE user_id = %s AND media_id = %s",
            [user_id, media_id],
        )
    in_photo = stored is not None and any(int(t[0]) == user_id for t in json.loads(stored[0]))
    return in_photo != bool(listed)


def _add_half(kind: str, a: int, b: int, missing: str) -> tuple[set[int], set[int]]:
    """Add the missing row of one half-made edge; the users and photos whose counts it moves."""
    rows = {
        "following": (a, "INSERT INTO {following} (user_id, target_id, created_ms)", (a, b)),
        "followers": (b, "INSERT INTO {followers} (user_id, follower_id, created_ms)", (b, a)),
        "likes": (b, "INSERT INTO {likes} (media_id, user_id, created_ms)", (b, a)),
        "user_likes": (a, "INSERT INTO {user_likes} (user_id, media_id, created_ms)", (a, b)),
        "blocks": (a, "INSERT INTO {blocks} (user_id, blocked_id, created_ms)", (a, b)),
        "blocked_by": (b, "INSERT INTO {blocked_by} (user_id, blocker_id, created_ms)", (b, a)),
    }
    owner, insert, values = rows[missing]
    if missing == "blocked_by":  # this table keeps no time
        insert = "INSERT INTO {blocked_by} (user_id, blocker_id)"
        params: list[int] = list(values)
    else:
        params = [*values, _now()]
    marks = ", ".join(["%s"] * len(params))
    db.execute(ids.shard_of(owner), f"{insert} VALUES ({marks}) ON CONFLICT DO NOTHING", params)
    if kind == "follow":
        return {a, b}, set()
    if kind == "like":
        return set(), {b}
    return set(), set()


def recount_user(user_id: int) -> None:
    """Set a user's counts from their rows, in one statement on their shard (the rows and the
    counts live there together, so concurrent writes cannot slip between)."""
    db.execute(
        ids.shard_of(user_id),
        "INSERT INTO {counts} (user_id, media, follows, followed_by) VALUES (%s,"
        " (SELECT count(*) FROM {media} WHERE user_id = %s),"
        " (SELECT count(*) FROM {following} WHERE user_id = %s),"
        " (SELECT count(*) FROM {followers} WHERE user_id = %s))"
        " ON CONFLICT (user_id) DO UPDATE SET media = excluded.media,"
        " follows = excluded.follows, followed_by = excluded.followed_by",
        [user_id] * 4,
    )


def recount_media(media_id: int) -> None:
    """Set a photo's likes and comments from their rows (on the photo's shard), and drop its
    cached copy."""
    db.execute(
        ids.shard_of(media_id),
        "UPDATE {media} SET likes = (SELECT count(*) FROM {likes} WHERE media_id = %s),"
        " comments = (SELECT count(*) FROM {comments} WHERE media_id = %s) WHERE id = %s",
        [media_id] * 3,
    )
    media_cache.invalidate(media_id)


def _delete_file(key: str) -> None:
    backend = storage.backend()
    if isinstance(backend, storage.S3):
        backend.client.delete_object(Bucket=backend.bucket, Key=key)
    else:
        (Path(settings.MEDIA_ROOT) / key).unlink(missing_ok=True)


def repair(report: Report, progress: Progress = lambda line: None) -> dict[str, int]:
    """Fix what `report` found: how many of each kind were repaired."""
    done: Counter[str] = Counter()
    users: set[int] = set(report.user_counts)
    media: set[int] = set(report.media_counts)
    for kind, halves in report.half_edges.items():
        if halves:
            progress(f"adding the missing half of {len(halves)} {kind}(s)")
        for a, b, missing in halves:
            if not still_half(kind, a, b, missing):
                continue
            moved_users, moved_media = _add_half(kind, a, b, missing)
            users |= moved_users
            media |= moved_media
            done[f"half-made {kind}s"] += 1
    if report.half_tags:
        progress(f"settling {len(report.half_tags)} half-made tag(s) to their photos' people")
    for user_id, media_id, owner_id, _ in report.half_tags:
        if tag_still_half(user_id, media_id):
            people.settle(owner_id, media_id, [user_id])
            done["half-made tags"] += 1
    if users or media:
        progress(f"recounting {len(users)} user(s) and {len(media)} photo(s) from their rows")
    for user_id in sorted(users):
        recount_user(user_id)
    for media_id in sorted(media):
        recount_media(media_id)
    done["user counts off"] = len(report.user_counts)
    done["photo counts off"] = len(report.media_counts)
    for media_id in report.stale_cache:
        media_cache.invalidate(media_id)
    done["stale cached counts"] = len(report.stale_cache)
    store = feeds.store()
    for user_id in report.feed_duplicates:
        feed = store.read(user_id) or []
        store.replace(user_id, list(dict.fromkeys(feed)))
    done["duplicate feed entries"] = sum(report.feed_duplicates.values())
    old = report.old_orphans()
    if old:
        progress(f"deleting {len(old)} orphan file(s)")
    for key in old:
        _delete_file(key)
    done["orphan files"] = len(old)
    return dict(done)
