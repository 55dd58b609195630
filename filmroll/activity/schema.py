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
    Step(
        "0005_following_actions",
        # each person's own recent actions, for the Following tab (activity/actions.SqlStore)
        """
        CREATE TABLE {s}actions (
            {id},
            actor_id bigint NOT NULL,
            kind smallint NOT NULL,
            target_id bigint NOT NULL,
            extra_id bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX actions_by_actor ON {s}actions (actor_id, id);
        """,
    ),
]
