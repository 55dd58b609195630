"""The graph package's tables on every logical shard (sharding/schema.py says how steps work)."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0001_users_media_graph",
        """
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
        """,
    ),
    Step(
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
        """,
    ),
    Step(
        "0003_blocked_by",
        """
        CREATE TABLE {s}blocked_by (
            user_id bigint NOT NULL,
            blocker_id bigint NOT NULL,
            PRIMARY KEY (user_id, blocker_id)
        );
        """,
    ),
    Step(
        "0005_mutes",
        """
        CREATE TABLE {s}mutes (
            user_id bigint NOT NULL,
            muted_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, muted_id)
        );
        """,
    ),
]
