"""The schema of every logical shard, as ordered steps applied once each.

On PostgreSQL each logical shard is a schema (`shard_0042`) holding these tables, a sequence and
the `next_id()` function that makes IDs inside the database. On SQLite (the embedded default) all
logical shards share one set of tables and IDs come from a sequence table (see db.new_ids).

In each step, `{s}` is the schema prefix (`shard_0042.` or nothing) and `{id}` the column
definition of an ID primary key. Never edit a step that has shipped: add a new one.
"""

from __future__ import annotations

from filmroll.sharding import ids

STEPS: list[tuple[str, str]] = [
    (
        "0001_users_media_graph",
        """
        CREATE TABLE {s}counts (
            user_id bigint PRIMARY KEY,
            media integer NOT NULL DEFAULT 0,
            follows integer NOT NULL DEFAULT 0,
            followed_by integer NOT NULL DEFAULT 0
        );
        CREATE TABLE {s}media (
            {id},
            user_id bigint NOT NULL,
            caption text NOT NULL DEFAULT '',
            filter text NOT NULL DEFAULT 'normal',
            location_id bigint,
            latitude double precision,
            longitude double precision,
            images text NOT NULL,
            blurhash text NOT NULL DEFAULT '',
            likes integer NOT NULL DEFAULT 0,
            comments integer NOT NULL DEFAULT 0
        );
        CREATE INDEX media_by_user ON {s}media (user_id, id);
        CREATE TABLE {s}following (
            user_id bigint NOT NULL,
            target_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, target_id)
        );
        CREATE TABLE {s}followers (
            user_id bigint NOT NULL,
            follower_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, follower_id)
        );
        CREATE TABLE {s}locations (
            {id},
            name text NOT NULL,
            latitude double precision NOT NULL,
            longitude double precision NOT NULL,
            address text NOT NULL DEFAULT ''
        );
        """,
    ),
    (
        "0002_requests_blocks_likes_comments_feeds_activity",
        """
        CREATE TABLE {s}follow_requests (
            user_id bigint NOT NULL,
            requester_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, requester_id)
        );
        CREATE TABLE {s}blocks (
            user_id bigint NOT NULL,
            blocked_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, blocked_id)
        );
        CREATE TABLE {s}likes (
            media_id bigint NOT NULL,
            user_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (media_id, user_id)
        );
        CREATE TABLE {s}user_likes (
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, media_id)
        );
        CREATE TABLE {s}comments (
            {id},
            media_id bigint NOT NULL,
            user_id bigint NOT NULL,
            text text NOT NULL
        );
        CREATE INDEX comments_by_media ON {s}comments (media_id, id);
        CREATE TABLE {s}feeds (
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            PRIMARY KEY (user_id, media_id)
        );
        CREATE TABLE {s}feeds_built (user_id bigint PRIMARY KEY);
        CREATE TABLE {s}activity (
            {id},
            user_id bigint NOT NULL,
            kind text NOT NULL,
            actor_id bigint NOT NULL,
            media_id bigint,
            text text NOT NULL DEFAULT ''
        );
        CREATE INDEX activity_by_user ON {s}activity (user_id, id);
        """,
    ),
    (
        "0003_blocked_by",
        """
    CREATE TABLE {s}blocked_by (
        user_id bigint NOT NULL,
        blocker_id bigint NOT NULL,
        PRIMARY KEY (user_id, blocker_id)
    );
    """,
    ),
]

# Every shard table, in the order `filmroll shards` lists their row counts.
TABLES = [
    "media", "comments", "likes", "user_likes", "following", "followers", "follow_requests",
    "blocks", "blocked_by", "locations", "counts", "feeds", "feeds_built", "activity",
]  # fmt: skip


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
