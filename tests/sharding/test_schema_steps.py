"""The shard schema's steps. Installs have applied the shipped steps, and their ledgers record
them by name, so each shipped step keeps its name and place and makes exactly what it made when
it shipped, whichever packages now declare its parts."""

from __future__ import annotations

import re
import sqlite3

from filmroll.sharding import schema

# What each shipped step made (SQLite rendering; whitespace collapsed; sorted). A new step joins
# this list when it ships.
SHIPPED = {
    "0001_users_media_graph": [
        "CREATE INDEX media_by_user ON media (user_id, id)",
        "CREATE TABLE counts (user_id bigint PRIMARY KEY, media integer NOT NULL DEFAULT 0, follows integer NOT NULL DEFAULT 0, followed_by integer NOT NULL DEFAULT 0)",
        "CREATE TABLE followers (user_id bigint NOT NULL, follower_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (user_id, follower_id))",
        "CREATE TABLE following (user_id bigint NOT NULL, target_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (user_id, target_id))",
        "CREATE TABLE locations (id bigint PRIMARY KEY, name text NOT NULL, latitude double precision NOT NULL, longitude double precision NOT NULL, address text NOT NULL DEFAULT '')",
        "CREATE TABLE media (id bigint PRIMARY KEY, user_id bigint NOT NULL, caption text NOT NULL DEFAULT '', filter text NOT NULL DEFAULT 'normal', location_id bigint, latitude double precision, longitude double precision, images text NOT NULL, blurhash text NOT NULL DEFAULT '', likes integer NOT NULL DEFAULT 0, comments integer NOT NULL DEFAULT 0)",
    ],
    "0002_requests_blocks_likes_comments_feeds_activity": [
        "CREATE INDEX activity_by_user ON activity (user_id, id)",
        "CREATE INDEX comments_by_media ON comments (media_id, id)",
        "CREATE TABLE activity (id bigint PRIMARY KEY, user_id bigint NOT NULL, kind text NOT NULL, actor_id bigint NOT NULL, media_id bigint, text text NOT NULL DEFAULT '')",
        "CREATE TABLE blocks (user_id bigint NOT NULL, blocked_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (user_id, blocked_id))",
        "CREATE TABLE comments (id bigint PRIMARY KEY, media_id bigint NOT NULL, user_id bigint NOT NULL, text text NOT NULL)",
        "CREATE TABLE feeds (user_id bigint NOT NULL, media_id bigint NOT NULL, PRIMARY KEY (user_id, media_id))",
        "CREATE TABLE feeds_built (user_id bigint PRIMARY KEY)",
        "CREATE TABLE follow_requests (user_id bigint NOT NULL, requester_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (user_id, requester_id))",
        "CREATE TABLE likes (media_id bigint NOT NULL, user_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (media_id, user_id))",
        "CREATE TABLE user_likes (user_id bigint NOT NULL, media_id bigint NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY (user_id, media_id))",
    ],
    "0003_blocked_by": [
        "CREATE TABLE blocked_by (user_id bigint NOT NULL, blocker_id bigint NOT NULL, PRIMARY KEY (user_id, blocker_id))",
    ],
}


def statements(sql: str) -> list[str]:
    parts = (re.sub(r"\s+", " ", part).strip() for part in sql.split(";"))
    return [part.replace("( ", "(").replace(" )", ")") for part in parts if part]


def test_it_keeps_the_shipped_steps_first_in_their_order_making_what_they_made():
    steps = schema.steps()
    assert [name for name, _ in steps[: len(SHIPPED)]] == list(SHIPPED)
    for name, sql in steps[: len(SHIPPED)]:
        assert sorted(statements(schema.render(sql, None))) == SHIPPED[name], name


def test_every_step_runs_on_a_fresh_table_set_and_every_table_made_is_listed():
    conn = sqlite3.connect(":memory:")
    for _, sql in schema.steps():
        for statement in statements(schema.render(sql, None)):
            conn.execute(statement)
    made = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert made == set(schema.tables())
    assert len(schema.tables()) == len(made)  # each declared once


def test_on_postgresql_every_table_and_id_is_the_shard_schemas_own():
    for name, sql in schema.steps():
        rendered = schema.render(sql, 42)
        named = re.findall(r"\b(?:CREATE TABLE|ON|ALTER TABLE|INSERT INTO|UPDATE) (\S+)", rendered)
        assert named and all(table.startswith("shard_0042.") for table in named), name
        assert "{" not in rendered
        ids = re.findall(r"\bid bigint PRIMARY KEY[^,\n]*", rendered)
        assert all(d == "id bigint PRIMARY KEY DEFAULT shard_0042.next_id()" for d in ids), name
