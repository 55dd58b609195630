"""The places package's tables on every logical shard (sharding/schema.py says how steps work)."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0001_users_media_graph",
        """
        CREATE TABLE {s}locations (
            {id},
            name text NOT NULL,
            latitude double precision NOT NULL,
            longitude double precision NOT NULL,
            address text NOT NULL DEFAULT ''
        );
        """,
    ),
]
