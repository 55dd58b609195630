"""The discovery index: one database spanning every shard, holding what tag pages, place pages
and geo search read. Like the seed's search service it is a copy of what the shards know,
written by tasks (discovery/writer.py, after each change to a photo) and rebuilt whole by
`filmroll index rebuild` (discovery/rebuild.py).

It holds only what anyone may see: photos of active public accounts. A photo deleted, made
private with its account, or stripped of its place leaves it (or its point) when its task runs;
read paths still apply the visibility rule, so a task not yet run never shows anything hidden.

This module holds its tables. PostgreSQL keeps points as PostGIS geography with a GiST index;
the embedded default keeps them in SQLite R*Tree tables and checks the exact distance with
geo.distance (the SQL of both is in discovery/geosql.py).
"""

from __future__ import annotations

from django.db import connections, transaction

ALIAS = "index"

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


def empty(cursor) -> None:
    """Delete every row of the index, in the caller's transaction."""
    for name in (*TABLES, "popular", *(() if postgres() else ("media_geo", "places_geo"))):
        cursor.execute(f"DELETE FROM {name}")


def clear() -> None:
    """Empty the index (tests start from nothing)."""
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        empty(cursor)
