from filmroll.activity import events
from filmroll.files import storage
from filmroll.media import comments, likes, orphans, people
from filmroll.tasks.registry import task


@task("media.delete_files", queue="deletes")
def delete_files(keys: list[str]) -> None:
    """Remove a deleted photo's files from storage (deleting a missing key is fine: idempotent)."""
    for key in keys:
        storage.delete(key)


@task("media.forget_activity", queue="deletes")
def forget_activity(media_id: int, owner_id: int) -> None:
    comments.forget_activity(media_id, owner_id)


@task("media.settle_like", queue="default")
def settle_like(user_id: int, media_id: int) -> None:
    """Finish a like or unlike a process left half made (its outbox record names this)."""
    likes.settle(user_id, media_id)


@task("media.settle_people", queue="default")
def settle_people(owner_id: int, media_id: int, user_ids: list[int]) -> None:
    """Make tagged (or untagged) people's "Photos of you" rows match the photo's people."""
    people.settle(owner_id, media_id, user_ids)


@task("media.untag_between", queue="default")
def untag_between(user_id: int, other_id: int) -> None:
    """After a block: each person's tags on the other's photos go."""
    people.untag_between(user_id, other_id)


@task("media.tell_mentioned", queue="default")
def tell_mentioned(media_id: int, comment_id: int) -> None:
    comments.tell_mentioned(media_id, comment_id)


@task("media.forget_comment", queue="default")
def forget_comment(user_ids: list[int], author_id: int, media_id: int, text: str) -> None:
    events.forget_comment(user_ids, author_id, media_id, text)


@task("media.sweep_orphans", queue="deletes", every=3600)
def sweep_orphans() -> None:
    """Files no row names, a day old: left by a crash between storing a photo and its row."""
    orphans.sweep()
