"""The accounts package's tables on every logical shard (sharding/schema.py says how steps work)."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0001_users_media_graph",
        """
        CREATE TABLE {s}counts (
            user_id bigint PRIMARY KEY,
            media integer NOT NULL DEFAULT 0,
            follows integer NOT NULL DEFAULT 0,
            followed_by integer NOT NULL DEFAULT 0
        );
        """,
    ),
]
