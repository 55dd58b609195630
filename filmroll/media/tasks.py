from filmroll.files import storage
from filmroll.media import comments, orphans
from filmroll.tasks.registry import task


@task("media.delete_files", queue="deletes")
def delete_files(keys: list[str]) -> None:
    """Remove a deleted photo's files from storage (deleting a missing key is fine: idempotent)."""
    for key in keys:
        storage.delete(key)


@task("media.forget_activity", queue="deletes")
def forget_activity(media_id: int, owner_id: int) -> None:
    comments.forget_activity(media_id, owner_id)


@task("media.sweep_orphans", queue="deletes", every=3600)
def sweep_orphans() -> None:
    """Files no row names, a day old: left by a crash between storing a photo and its row."""
    orphans.sweep()
