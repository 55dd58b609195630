"""The activity store's table on every logical shard (sharding/schema.py says how steps work)."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0002_requests_blocks_likes_comments_feeds_activity",
        """
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
]
