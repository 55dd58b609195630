"""Writing the discovery index as photos and places change: each task brings the entries of
the photos it names in line with the shards (in, changed, or out). Idempotent."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from django.db import connections, transaction

from filmroll.accounts.models import User
from filmroll.discovery.tables import ALIAS, postgres
from filmroll.media import tags
from filmroll.media.rows import Media, load_many
from filmroll.sharding import db, ids

BATCH = 1000


@dataclass(frozen=True)
class Entry:
    media_id: int
    user_id: int
    location_id: int | None
    latitude: float | None
    longitude: float | None
    tags: tuple[str, ...]


def entries(media_ids: list[int]) -> list[Entry]:
    """What the index should hold for these photos, read from the shards (not the cache: a task
    must see the row as committed): nothing for a missing photo or a private or inactive owner.
    Tags come from the caption and from the owner's own comments."""
    found = load_many(media_ids)
    owners = User.objects.in_bulk({m.user_id for m in found.values()})
    shown = [
        m
        for m in found.values()
        if m.user_id in owners and owners[m.user_id].is_active and not owners[m.user_id].is_private
    ]
    if not shown:
        return []
    owner_tags: dict[int, list[str]] = {}
    rows = db.select_by_keys(
        "comments", [m.id for m in shown], "user_id, text", key="media_id", where="text LIKE %s",
        params=["%#%"],
    )  # fmt: skip
    owner_of = {m.id: m.user_id for m in shown}
    for media_id, user_id, text in rows:
        if user_id == owner_of[media_id]:
            owner_tags.setdefault(media_id, []).extend(tags.parse(text))
    return [_entry(m, owner_tags.get(m.id, [])) for m in shown]


def _entry(media: Media, comment_tags: list[str]) -> Entry:
    return Entry(
        media.id,
        media.user_id,
        media.location_id,
        media.latitude,
        media.longitude,
        tuple(dict.fromkeys([*tags.parse(media.caption), *comment_tags])),
    )


def index_media(media_ids: list[int]) -> None:
    """Bring these photos' entries in line with the shards: in, changed, or out. Idempotent."""
    wanted = entries(media_ids)
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        if postgres():  # two tasks for one photo take turns (SQLite writers always do)
            for media_id in sorted(media_ids):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"m%d" % media_id)])
        _remove(cursor, media_ids)
        add_entries(cursor, wanted)


def index_user(user_id: int) -> None:
    """After an account turns private or public, or is deactivated: all its photos again."""
    rows = db.fetchall(
        ids.shard_of(user_id), "SELECT id FROM {media} WHERE user_id = %s ORDER BY id", [user_id]
    )
    media_ids = [row[0] for row in rows]
    for start in range(0, len(media_ids), BATCH):
        index_media(media_ids[start : start + BATCH])


def _remove(cursor, media_ids: list[int]) -> None:
    if not media_ids:
        return
    marks = ", ".join(["%s"] * len(media_ids))
    cursor.execute(
        f"SELECT tag, count(*) FROM tag_media WHERE media_id IN ({marks}) GROUP BY tag", media_ids
    )
    dropped = cursor.fetchall()
    cursor.executemany(
        "UPDATE tags SET media_count = media_count - %s WHERE name = %s",
        [(n, tag) for tag, n in dropped],
    )
    cursor.execute(f"DELETE FROM tag_media WHERE media_id IN ({marks})", media_ids)
    cursor.execute(f"DELETE FROM media_index WHERE media_id IN ({marks})", media_ids)
    if not postgres():
        cursor.execute(f"DELETE FROM media_geo WHERE id IN ({marks})", media_ids)


def add_entries(cursor, wanted: list[Entry]) -> None:
    """Insert entries (none of them there yet), in the caller's transaction."""
    if not wanted:
        return
    rows = [(e.media_id, e.user_id, e.location_id, e.latitude, e.longitude) for e in wanted]
    if postgres():
        cursor.executemany(
            "INSERT INTO media_index (media_id, user_id, location_id, point) VALUES (%s, %s, %s,"
            " CASE WHEN %s::float8 IS NULL THEN NULL"
            " ELSE ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography END)",
            [(m, u, loc, lat, lng, lat) for m, u, loc, lat, lng in rows],
        )
    else:
        cursor.executemany(
            "INSERT INTO media_index (media_id, user_id, location_id, latitude, longitude)"
            " VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
        cursor.executemany(
            "INSERT INTO media_geo (id, min_lat, max_lat, min_lng, max_lng)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(m, lat, lat, lng, lng) for m, _, _, lat, lng in rows if lat is not None],
        )
    pairs = [(tag, e.media_id) for e in wanted for tag in e.tags]
    cursor.executemany("INSERT INTO tag_media (tag, media_id) VALUES (%s, %s)", pairs)
    counted: dict[str, int] = {}
    for tag, _ in pairs:
        counted[tag] = counted.get(tag, 0) + 1
    cursor.executemany(
        "INSERT INTO tags (name, media_count) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET media_count = tags.media_count + excluded.media_count",
        list(counted.items()),
    )


def index_place(place_id: int, name: str, latitude: float, longitude: float) -> None:
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        put_places(cursor, [(place_id, name, latitude, longitude)])


def put_places(cursor, places: list[tuple[int, str, float, float]]) -> None:
    """Insert or replace places (ID, name, latitude, longitude), in the caller's transaction."""
    if not places:
        return
    marks = ", ".join(["%s"] * len(places))
    place_ids = [p[0] for p in places]
    cursor.execute(f"DELETE FROM places WHERE id IN ({marks})", place_ids)
    rows = [(pid, name, name.casefold(), lat, lng) for pid, name, lat, lng in places]
    if postgres():
        cursor.executemany(
            "INSERT INTO places (id, name, name_key, latitude, longitude, point)"
            " VALUES (%s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)",
            [(*row, row[4], row[3]) for row in rows],
        )
        return
    cursor.execute(f"DELETE FROM places_geo WHERE id IN ({marks})", place_ids)
    cursor.executemany(
        "INSERT INTO places (id, name, name_key, latitude, longitude) VALUES (%s, %s, %s, %s, %s)",
        rows,
    )
    cursor.executemany(
        "INSERT INTO places_geo (id, min_lat, max_lat, min_lng, max_lng) VALUES (%s, %s, %s, %s, %s)",
        [(pid, lat, lat, lng, lng) for pid, _, _, lat, lng in rows],
    )
