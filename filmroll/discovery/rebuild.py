"""Rebuilding the discovery index whole from every shard (`filmroll index rebuild`), and
comparing a rebuilt index with the original."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db import connections, transaction

from filmroll.discovery import popular
from filmroll.discovery.tables import ALIAS, TABLES, empty, postgres
from filmroll.discovery.writer import BATCH, add_entries, entries, put_places
from filmroll.sharding import db, shardmap


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


def rebuild(progress: Callable[[str], None] = lambda line: None) -> int:
    """Empty the index and fill it again from every shard; the number of photos it holds."""
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        empty(cursor)
        places = 0
        for rows in _batches("locations", "name, latitude, longitude"):
            put_places(cursor, [tuple(row) for row in rows])
            places += len(rows)
        progress(f"{places} places indexed")
        seen = held = 0
        for rows in _batches("media", "user_id"):
            wanted = entries([row[0] for row in rows])
            add_entries(cursor, wanted)
            seen, held = seen + len(rows), held + len(wanted)
            progress(f"{seen} photos read, {held} indexed")
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
