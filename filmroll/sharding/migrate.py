"""Creating databases and bringing every logical shard to the current schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections, transaction

from filmroll.sharding import db, schema, shardmap

Progress = Callable[[str], None]


def ensure_postgres_database(alias: str) -> bool:
    """Create the PostgreSQL database behind `alias` if it is missing; True when it made one."""
    params = settings.DATABASES[alias]
    if not params["ENGINE"].endswith("postgresql"):
        return False
    connect: dict[str, Any] = {
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    try:
        psycopg.connect(dbname=params["NAME"], connect_timeout=5, **connect).close()
        return False
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **connect) as conn:
        conn.execute(f'CREATE DATABASE "{params["NAME"]}"')
    return True


def _script(cursor, sql: str, postgres: bool) -> None:
    if postgres:
        cursor.execute(sql)
        return
    for statement in filter(None, (part.strip() for part in sql.split(";"))):
        cursor.execute(statement)


def migrate_one(alias: str, shard: int | None) -> list[str]:
    """Apply the missing steps to one PostgreSQL shard schema, or to the SQLite table set."""
    postgres = shard is not None
    ledger = f"{schema.schema_name(shard)}.schema_steps" if shard is not None else "schema_steps"
    applied: list[str] = []
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        if shard is not None:
            # Two `migrate` runs at once take turns per shard instead of colliding.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5A4D0000 + shard])
            _script(cursor, schema.postgres_base(shard), True)
        else:
            _script(cursor, schema.SQLITE_BASE, False)
        cursor.execute(f"SELECT name FROM {ledger}")
        done = {row[0] for row in cursor.fetchall()}
        for name, sql in schema.steps():
            if name in done:
                continue
            _script(cursor, schema.render(sql, shard), postgres)
            cursor.execute(f"INSERT INTO {ledger} (name) VALUES (%s)", [name])
            applied.append(name)
    return applied


def migrate_shards(progress: Progress = lambda line: None) -> int:
    """Bring every logical shard on every physical database to the current schema; steps applied."""
    total = 0
    for alias in shardmap.physicals():
        if not db.is_postgres(alias):
            total += len(migrate_one(alias, None))
            progress(f"{alias}: all logical shards share one SQLite table set: up to date")
            continue
        shards = shardmap.logical_on(alias)
        for index, shard in enumerate(shards, 1):
            total += len(migrate_one(alias, shard))
            if index == len(shards) or index % max(1, len(shards) // 10) == 0:
                progress(f"{alias}: {index}/{len(shards)} logical shards up to date")
    return total


def row_counts(alias: str) -> dict[str, int]:
    """Rows per shard table over every logical shard on one physical database."""
    with connections[alias].cursor() as cursor:
        counts = {}
        for name in schema.tables():
            if db.is_postgres(alias):
                sql = " UNION ALL ".join(
                    f"SELECT count(*) FROM {schema.schema_name(s)}.{name}"
                    for s in shardmap.logical_on(alias)
                )
                cursor.execute(f"SELECT coalesce(sum(count), 0) FROM ({sql}) AS per_shard")
            else:
                cursor.execute(f"SELECT count(*) FROM {name}")
            counts[name] = int(cursor.fetchone()[0])
    return counts
