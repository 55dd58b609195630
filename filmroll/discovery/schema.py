"""The discovery package's tables on every logical shard (sharding/schema.py says how steps
work): the people a user dismissed from their suggestions, on the user's own shard."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0005_suggestion_dismissals",
        """
        CREATE TABLE {s}suggestion_dismissals (
            user_id bigint NOT NULL,
            dismissed_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, dismissed_id)
        );
        """,
    ),
]
