"""Moving a logical shard to another physical database while the service runs.

1. The shard's schema is made, empty, on the target.
2. Its move fence is taken: the guard row of the shard, locked FOR UPDATE, then its tables in
   EXCLUSIVE mode. In-flight writes to the shard finish first; new ones wait (every write
   transaction share-locks the row first, see db.atomic; a lone statement waits on the tables).
   Reads go on: EXCLUSIVE mode lets them.
3. Every table and the ID sequence are copied (COPY, binary) and the target commits.
4. The source marks the guard moved and drops the schema's name (renamed aside) and commits:
   waiting writers see `moved` and start over on the new server; a process still reading the
   old place finds no schema there, reloads the map and reads again (db._again).
5. The shard map in the global database names the target; the old copy is dropped.

Writes to this one logical shard pause from 2 to 4; nothing written before 2 is missed (the
fence waits for it) and nothing after 2 lands on the source (it waits, then goes elsewhere).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction

from filmroll.sharding import db, migrate, shardmap
from filmroll.sharding.models import LogicalShard
from filmroll.sharding.schema import schema_name, tables

Progress = Callable[[str], None]


class MoveError(Exception):
    """The move cannot be made; the message says why and what to do."""


@dataclass
class Moved:
    shard: int
    source: str
    target: str
    rows: int
    paused_ms: float  # how long writes to the shard waited


def _rows(alias: str, shard: int) -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        counts = {}
        for name in tables():
            cursor.execute(f"SELECT count(*) FROM {schema_name(shard)}.{name}")
            counts[name] = cursor.fetchone()[0]
        return counts


def _empty_target(target: str, shard: int) -> None:
    """The shard's schema on the target, with no rows: made fresh, or a leftover emptied one."""
    schema = schema_name(shard)
    with connections[target].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        if cursor.fetchone():
            if any(_rows(target, shard).values()):
                raise MoveError(
                    f"{target} already holds rows of logical shard {shard} (schema {schema}):"
                    " check them, drop the schema, and move again"
                )
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
    migrate.migrate_one(target, shard)


def _copy(source_cursor, target_cursor, shard: int) -> int:
    schema = schema_name(shard)
    rows = 0
    for name in tables():
        with (
            source_cursor.copy(f"COPY {schema}.{name} TO STDOUT (FORMAT BINARY)") as out,
            target_cursor.copy(f"COPY {schema}.{name} FROM STDIN (FORMAT BINARY)") as into,
        ):
            for chunk in out:
                into.write(chunk)
        rows += target_cursor.rowcount if target_cursor.rowcount > 0 else 0
    source_cursor.execute(f"SELECT last_value, is_called FROM {schema}.id_seq")
    last, called = source_cursor.fetchone()
    # Half the sequence's cycle ahead: a process that has not seen the move yet may still take
    # an ID from the source in the moment before it goes, in the same millisecond as the target's
    # first; a different sequence number keeps the two IDs apart.
    target_cursor.execute("SELECT setval(%s, %s, %s)", [f"{schema}.id_seq", last + 512, called])
    return rows


def move(shard: int, target: str, progress: Progress = lambda line: None) -> Moved:
    shardmap.reload()
    if not 0 <= shard < shardmap.logical_count():
        raise MoveError(f"there is no logical shard {shard}: `filmroll shards` lists them")
    if target not in settings.FILMROLL.shard_databases:
        names = ", ".join(settings.FILMROLL.shard_databases)
        raise MoveError(
            f"{target!r} is not a physical database here (FILMROLL_SHARD_DATABASES: {names})"
        )
    source = shardmap.physical_of(shard)
    if source == target:
        raise MoveError(f"logical shard {shard} is on {target} already")
    if not (db.is_postgres(source) and db.is_postgres(target)):
        raise MoveError("shards move between PostgreSQL servers; the embedded default has one")
    schema = schema_name(shard)
    progress(f"making {schema} on {target}")
    _empty_target(target, shard)
    progress(f"fencing writes to logical shard {shard} and copying it from {source}")
    aside = f"{schema}_moved_{int(time.time())}"
    with transaction.atomic(using=source), connections[source].cursor() as source_cursor:
        started = time.perf_counter()
        source_cursor.execute(f"SELECT moved FROM {schema}.guard FOR UPDATE")
        if source_cursor.fetchone()[0]:
            raise MoveError(f"{schema} on {source} was moved already: run `filmroll shards`")
        # writes outside transactions take no fence: the tables' lock holds them (reads go on)
        names = ", ".join(f"{schema}.{name}" for name in tables())
        source_cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        with transaction.atomic(using=target), connections[target].cursor() as target_cursor:
            rows = _copy(source_cursor.cursor, target_cursor.cursor, shard)
        source_cursor.execute(f"UPDATE {schema}.guard SET moved = true")
        source_cursor.execute(f"ALTER SCHEMA {schema} RENAME TO {aside}")
    LogicalShard.objects.filter(number=shard).update(physical=target)
    paused_ms = (time.perf_counter() - started) * 1000
    shardmap.reload()
    progress(f"the shard map places logical shard {shard} on {target}; dropping the old copy")
    with connections[source].cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {aside} CASCADE")
    return Moved(shard, source, target, rows, paused_ms)
