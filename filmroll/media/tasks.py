from filmroll.files import storage
from filmroll.tasks.registry import task


@task("media.delete_files", queue="deletes")
def delete_files(keys: list[str]) -> None:
    """Remove a deleted photo's files from storage (deleting a missing key is fine: idempotent)."""
    for key in keys:
        storage.delete(key)
