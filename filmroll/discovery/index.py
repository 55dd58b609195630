"""The discovery index: one database spanning every shard, holding what tag pages, place pages
and geo search read. Like the seed's search service it is a copy of what the shards know,
written by tasks (index_media after each change to a photo) and rebuilt whole by
`filmroll index rebuild`.

It holds only what anyone may see: photos of active public accounts. A photo deleted, made
private with its account, or stripped of its place leaves it (or its point) when its task runs;
read paths still apply the visibility rule, so a task not yet run never shows anything hidden.

PostgreSQL keeps points as PostGIS geography with a GiST index; the embedded default keeps
them in SQLite R*Tree tables and checks the exact distance with geo.distance.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction

from filmroll.accounts.models import User
from filmroll.media import tags
from filmroll.media.rows import Media, load_many
from filmroll.places import geo
from filmroll.sharding import db, ids, shardmap

ALIAS = "index"
BATCH = 1000

POSTGRES_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE IF NOT EXISTS media_index (
    media_id bigint PRIMARY KEY,
    user_id bigint NOT NULL,
    location_id bigint,
    point geography(Point, 4326)
);
CREATE INDEX IF NOT EXISTS media_index_point ON media_index USING gist (point);
CREATE INDEX IF NOT EXISTS media_index_location ON media_index (location_id, media_id)
    WHERE location_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS tag_media (
    tag text NOT NULL,
    media_id bigint NOT NULL,
    PRIMARY KEY (tag, media_id)
);
CREATE INDEX IF NOT EXISTS tag_media_by_media ON tag_media (media_id);
CREATE TABLE IF NOT EXISTS tags (name text PRIMARY KEY, media_count integer NOT NULL);
CREATE INDEX IF NOT EXISTS tags_prefix ON tags (name text_pattern_ops);
CREATE TABLE IF NOT EXISTS places (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    name_key text NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    point geography(Point, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS places_point ON places USING gist (point);
CREATE INDEX IF NOT EXISTS places_name ON places (name_key text_pattern_ops);
CREATE TABLE IF NOT EXISTS popular (rank integer PRIMARY KEY, media_id bigint NOT NULL);
"""

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS media_index (
    media_id integer PRIMARY KEY,
    user_id integer NOT NULL,
    location_id integer,
    latitude real,
    longitude real
);
CREATE INDEX IF NOT EXISTS media_index_location ON media_index (location_id, media_id)
    WHERE location_id IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS media_geo USING rtree(id, min_lat, max_lat, min_lng, max_lng);
CREATE TABLE IF NOT EXISTS tag_media (
    tag text NOT NULL,
    media_id integer NOT NULL,
    PRIMARY KEY (tag, media_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tag_media_by_media ON tag_media (media_id);
CREATE TABLE IF NOT EXISTS tags (name text PRIMARY KEY, media_count integer NOT NULL);
CREATE TABLE IF NOT EXISTS places (
    id integer PRIMARY KEY,
    name text NOT NULL,
    name_key text NOT NULL,
    latitude real NOT NULL,
    longitude real NOT NULL
);
CREATE INDEX IF NOT EXISTS places_name ON places (name_key);
CREATE VIRTUAL TABLE IF NOT EXISTS places_geo USING rtree(id, min_lat, max_lat, min_lng, max_lng);
CREATE TABLE IF NOT EXISTS popular (rank integer PRIMARY KEY, media_id integer NOT NULL);
"""

# What a rebuild refills from the shards, and what a rebuilt index is compared on (`popular`
# is ranked from these afterwards).
TABLES = ("media_index", "tag_media", "tags", "places")


@dataclass(frozen=True)
class Entry:
    media_id: int
    user_id: int
    location_id: int | None
    latitude: float | None
    longitude: float | None
    tags: tuple[str, ...]


def postgres() -> bool:
    return connections[ALIAS].vendor == "postgresql"


def migrate() -> None:
    """Create the index's tables (and PostGIS) where missing; safe to run again."""
    with connections[ALIAS].cursor() as cursor:
        if postgres():
            cursor.execute(POSTGRES_SCHEMA)
        else:
            for statement in filter(None, (s.strip() for s in SQLITE_SCHEMA.split(";"))):
                cursor.execute(statement)


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
        _add(cursor, wanted)


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


def _add(cursor, wanted: list[Entry]) -> None:
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
        _put_places(cursor, [(place_id, name, latitude, longitude)])


def _put_places(cursor, places: list[tuple[int, str, float, float]]) -> None:
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


def _batches(table: str, columns: str) -> Iterator[list[tuple]]:
    """Every row of a shard table, `BATCH` at a time, in ID order per logical shard."""
    for alias in shardmap.physicals():
        shards = shardmap.logical_on(alias)
        if not db.is_postgres(alias):
            shards = shards[:1]  # SQLite: one table set holds every logical shard
        for shard in shards:
            after = 0
            while rows := db.fetchall(
                shard,
                f"SELECT id, {columns} FROM {{{table}}} WHERE id > %s ORDER BY id LIMIT %s",
                [after, BATCH],
            ):
                yield rows
                after = rows[-1][0]


def _clear(cursor) -> None:
    for name in (*TABLES, "popular", *(() if postgres() else ("media_geo", "places_geo"))):
        cursor.execute(f"DELETE FROM {name}")


def clear() -> None:
    """Empty the index (tests start from nothing)."""
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        _clear(cursor)


def rebuild(progress: Callable[[str], None] = lambda line: None) -> int:
    """Empty the index and fill it again from every shard; the number of photos it holds."""
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        _clear(cursor)
        places = 0
        for rows in _batches("locations", "name, latitude, longitude"):
            _put_places(cursor, [tuple(row) for row in rows])
            places += len(rows)
        progress(f"{places} places indexed")
        seen = held = 0
        for rows in _batches("media", "user_id"):
            wanted = entries([row[0] for row in rows])
            _add(cursor, wanted)
            seen, held = seen + len(rows), held + len(wanted)
            progress(f"{seen} photos read, {held} indexed")
    from filmroll.discovery import popular

    popular.refresh()
    return held


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the index, sorted: to compare a rebuilt index with the original."""
    with connections[ALIAS].cursor() as cursor:
        found = {}
        point = (
            "ST_Y(point::geometry), ST_X(point::geometry)" if postgres() else "latitude, longitude"
        )
        columns = {
            "media_index": f"media_id, user_id, location_id, {point}",
            "tag_media": "tag, media_id",
            "tags": "name, media_count",
            "places": "id, name, name_key, latitude, longitude",
        }
        for name in TABLES:
            cursor.execute(f"SELECT {columns[name]} FROM {name}")
            found[name] = sorted(tuple(row) for row in cursor.fetchall())
        return found


def within(table: str, lat: float, lng: float, metres: float) -> tuple[str, list]:
    """A WHERE clause (and its parameters) for rows of `table` (media_index or places) whose
    point lies within `metres` of the point on the sphere."""
    if postgres():
        return (
            f"ST_DWithin({table}.point, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, false)",
            [lng, lat, metres],
        )
    # SQLite: the R*Tree finds candidates in the bounding boxes (one subquery each, so each uses
    # the tree), then the exact distance decides.
    rtree, key = {"media_index": ("media_geo", "media_id"), "places": ("places_geo", "id")}[table]
    parts, params = [], []
    for min_lat, max_lat, min_lng, max_lng in geo.boxes(lat, lng, metres):
        parts.append(
            f"SELECT id FROM {rtree} WHERE max_lat >= %s AND min_lat <= %s"
            " AND max_lng >= %s AND min_lng <= %s"
        )
        params += [min_lat, max_lat, min_lng, max_lng]
    return (
        f"{table}.{key} IN ({' UNION ALL '.join(parts)})"
        f" AND sphere_distance({table}.latitude, {table}.longitude, %s, %s) <= %s",
        [*params, lat, lng, metres],
    )


def distance_to(table: str, lat: float, lng: float) -> tuple[str, list]:
    """An expression (and parameters) for the distance in metres from a row of `table` to the point."""
    if postgres():
        return (
            f"ST_Distance({table}.point, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, false)",
            [lng, lat],
        )
    return f"sphere_distance({table}.latitude, {table}.longitude, %s, %s)", [lat, lng]
