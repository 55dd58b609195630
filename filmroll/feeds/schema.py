"""The feeds package's tables on every logical shard: the home feeds of the SQL feed store
(feeds/store.SqlStore). sharding/schema.py says how steps work."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0002_requests_blocks_likes_comments_feeds_activity",
        """
        CREATE TABLE {s}feeds (
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            PRIMARY KEY (user_id, media_id)
        );
        CREATE TABLE {s}feeds_built (user_id bigint PRIMARY KEY);
        """,
    ),
    Step(
        "0004_feed_lengths",
        # each feed's length beside it, so that an add trims a full feed without walking it
        """
        ALTER TABLE {s}feeds_built ADD COLUMN entries integer NOT NULL DEFAULT 0;
        UPDATE {s}feeds_built SET entries = (SELECT count(*) FROM {s}feeds f
            WHERE f.user_id = {s}feeds_built.user_id);
        """,
    ),
]
