"""The schema of every logical shard, as named steps applied once each, in order of name.

On PostgreSQL each logical shard is a schema (`shard_0042`) holding the shard tables, a sequence
and the `next_id()` function that makes IDs inside the database. On SQLite (the embedded default)
all logical shards share one set of tables and IDs come from a sequence table (see db.new_ids).

Each package that keeps rows on the shards declares its own tables in its `schema.py`, a list
`STEPS` of `Step`s, and is listed in the setting `SHARD_SCHEMAS` (sharding imports none of them).
One step may have parts in several packages: they run together, as one step, and the ledger of
each shard (`schema_steps`) records the step's name once it has run. In a step's SQL, `{s}` is
the schema prefix (`shard_0042.` or nothing) and `{id}` the column definition of an ID primary
key. Never edit a step that has shipped, nor rename it: add a new one, numbered after the last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings

from filmroll.sharding import ids


@dataclass(frozen=True)
class Step:
    """One package's part of the step `name` ("0004_saves"): SQL statements, each
    ending in `;`, with `{s}` before each table name."""

    name: str
    sql: str

    @property
    def tables(self) -> list[str]:
        """The tables it creates."""
        return re.findall(r"CREATE TABLE \{s\}(\w+)", self.sql)


NAME = re.compile(r"^\d{4}_\w+$")


def _parts() -> list[Step]:
    """Every package's parts, in step order (the packages' order within a step)."""
    parts = [part for module in settings.SHARD_SCHEMAS for part in import_module(module).STEPS]
    for part in parts:
        if not NAME.match(part.name):
            raise ValueError(f"shard schema step {part.name!r}: name it NNNN_what_it_does")
    return sorted(parts, key=lambda part: part.name)


def steps() -> list[tuple[str, str]]:
    """Every step, in the order they apply: its name and the SQL of all its parts."""
    joined: dict[str, str] = {}
    for part in _parts():
        joined[part.name] = joined.get(part.name, "") + part.sql.strip().rstrip(";") + ";\n"
    return list(joined.items())


def tables() -> list[str]:
    """Every shard table, in the order the steps make them."""
    found = [name for part in _parts() for name in part.tables]
    twice = sorted({name for name in found if found.count(name) > 1})
    if twice:
        raise ValueError(f"shard tables declared twice: {', '.join(twice)}")
    return found


# What PostgreSQL answers for a shard whose schema has moved to another server (undefined
# table, schema, function: next_id): sharding.db finds where it went.
MOVED_STATES = frozenset({"42P01", "3F000", "42883"})


def schema_name(shard: int) -> str:
    return f"shard_{shard:04d}"


def postgres_base(shard: int) -> str:
    """The schema, its ID sequence, next_id() and the step ledger; safe to run again."""
    schema = schema_name(shard)
    # clock_timestamp(), not now(): now() is fixed for a transaction, so one transaction making
    # more than 1024 IDs would repeat them.
    return f"""
    CREATE SCHEMA IF NOT EXISTS {schema};
    CREATE SEQUENCE IF NOT EXISTS {schema}.id_seq;
    CREATE OR REPLACE FUNCTION {schema}.next_id(OUT result bigint) AS $$
    BEGIN
        -- One assignment, so PL/pgSQL takes its fast path for simple expressions.
        result := ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - {ids.EPOCH_MS})
                   << {ids.SHARD_BITS + ids.SEQ_BITS})
                  | ({shard} << {ids.SEQ_BITS})
                  | (nextval('{schema}.id_seq') % 1024);
    END;
    $$ LANGUAGE plpgsql;
    CREATE TABLE IF NOT EXISTS {schema}.schema_steps (name text PRIMARY KEY);
    -- The move fence: writers share-lock its row, `filmroll shards move` locks it exclusively.
    CREATE TABLE IF NOT EXISTS {schema}.guard (moved boolean NOT NULL);
    INSERT INTO {schema}.guard SELECT false WHERE NOT EXISTS (SELECT 1 FROM {schema}.guard);
    """


SQLITE_BASE = """
CREATE TABLE IF NOT EXISTS id_sequences (shard integer PRIMARY KEY, value integer NOT NULL);
CREATE TABLE IF NOT EXISTS schema_steps (name text PRIMARY KEY);
"""


def render(step_sql: str, shard: int | None) -> str:
    """A step's SQL for one PostgreSQL shard, or for the single SQLite table set (shard None)."""
    if shard is None:
        return step_sql.format(s="", id="id bigint PRIMARY KEY")
    schema = schema_name(shard)
    return step_sql.format(s=f"{schema}.", id=f"id bigint PRIMARY KEY DEFAULT {schema}.next_id()")
