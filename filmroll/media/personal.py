"""What the media package keeps about a person (sharding/personal.py says how this works): the
person's photos and their files, the likes and comments on them, and the person's likes and
comments on others' photos (each photo's counts corrected as they go)."""

from collections import defaultdict

from filmroll.files import storage
from filmroll.media import cache, people
from filmroll.media.rows import file_keys
from filmroll.sharding import db, ids
from filmroll.sharding.personal import BATCH, Naming, OfMedia, Owned, Store, media_ids


def _uncache(media_ids: list[int]) -> None:
    for media_id in media_ids:
        cache.invalidate(media_id)


def _files(user_id: int) -> None:
    """Every stored size of every photo, each of an album's too (the rows go later: a purge
    run again finds them)."""
    shard = ids.shard_of(user_id)
    for batch in media_ids(user_id):
        marks = ", ".join(["%s"] * len(batch))
        rows = db.fetchall(
            shard, f"SELECT id, images, carousel FROM {{media}} WHERE id IN ({marks})", batch
        )
        for media_id, images, carousel in rows:
            for key in file_keys(images, carousel):
                storage.delete(key)
            cache.invalidate(media_id)


def _likers_lists(user_id: int) -> None:
    """The person's photos out of the "liked" lists of the people who liked them."""
    shard = ids.shard_of(user_id)
    for batch in media_ids(user_id):
        marks = ", ".join(["%s"] * len(batch))
        rows = db.fetchall(
            shard, f"SELECT user_id, media_id FROM {{likes}} WHERE media_id IN ({marks})", batch
        )
        by_liker: dict[int, list[int]] = defaultdict(list)
        for liker, media_id in rows:
            by_liker[liker].append(media_id)
        for liker, liked in by_liker.items():
            for start in range(0, len(liked), BATCH):
                part = liked[start : start + BATCH]
                db.execute(
                    ids.shard_of(liker),
                    "DELETE FROM {user_likes} WHERE user_id = %s AND media_id IN ("
                    + ", ".join(["%s"] * len(part))
                    + ")",
                    [liker, *part],
                )
                for media_id in part:
                    cache.invalidate_liked(liker, media_id)


PERSONAL = [
    Owned("media"),
    Owned("user_likes"),
    OfMedia("likes"),
    OfMedia("comments"),
    # the person's likes of others' photos, found through the person's `user_likes`
    Naming(
        "likes",
        "user_id",
        key="media_id",
        via=("user_likes", "media_id"),
        recount=("media", "id", "likes"),
        touched=_uncache,
    ),  # fmt: skip
    Naming(
        "comments", "user_id", key="media_id", recount=("media", "id", "comments"), touched=_uncache
    ),  # fmt: skip
    Store("photo files", _files),
    # the person's tags on others' photos go from those photos (found through `photos_of`,
    # before its rows go below), and others' "Photos of you" rows of the person's photos
    Store("the person's tags in others' photos", people.untag_everywhere),
    Owned("photos_of", seen_media="media_id"),
    Naming("photos_of", "owner_id", key="user_id"),
    Owned("saved_media", seen_media="media_id"),
    Naming("saved_media", "media_id", key="user_id", of_media=True),
    Store("the likers' lists of the person's photos", _likers_lists),
]
