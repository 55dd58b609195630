"""The test install: a few logical shards, every shard table and the index emptied."""

from __future__ import annotations

from django.conf import settings

from filmroll.discovery import rebuild, tables
from filmroll.sharding import db, schema, shardmap
from filmroll.sharding.migrate import migrate_shards

TEST_LOGICAL_SHARDS = 8


def reset_install() -> None:
    """The shard map in place and every shard table empty."""
    if not shardmap.exists():
        shardmap.create(TEST_LOGICAL_SHARDS, list(settings.FILMROLL.shard_databases))
    shardmap.reload()
    migrate_shards()
    for shard in range(TEST_LOGICAL_SHARDS):
        for name in schema.tables():
            db.execute(shard, f"DELETE FROM {{{name}}}")
    tables.migrate()
    rebuild.rebuild()  # empty, like the shards
