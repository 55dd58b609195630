"""Background work of the graph: finishing follows and blocks whose second shard's half a
process left undone (their outbox records name these tasks)."""

from filmroll.graph import relationships
from filmroll.tasks.registry import task


@task("graph.settle_follow", queue="default")
def settle_follow(follower_id: int, followed_id: int) -> None:
    relationships.settle_follow(follower_id, followed_id)


@task("graph.settle_block", queue="default")
def settle_block(user_id: int, other_id: int) -> None:
    relationships.settle_block(user_id, other_id)
