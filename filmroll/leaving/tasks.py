"""Leaving's tasks: the purge of accounts whose grace period is over, and the data archives."""

from filmroll.accounts import leaving
from filmroll.leaving import export, purge
from filmroll.tasks.dispatch import enqueue
from filmroll.tasks.registry import task

HOUR = 3600


@task("leaving.purge_due", queue="deletes", every=HOUR)
def purge_due() -> None:
    """Queue the purge of every account whose grace period is over (again, for a purge that
    died: it finishes where it left off), and free usernames whose tombstone has expired."""
    for user_id in purge.purge_due():
        enqueue("leaving.purge", user_id)
    leaving.forget_tombstones()


@task("leaving.purge", queue="deletes")
def purge_user(user_id: int) -> None:
    purge.purge(user_id)


@task("leaving.build_export", queue="default")
def build_export(export_id: int, link: str) -> None:
    export.build(export_id, link)


@task("leaving.expire_exports", queue="deletes", every=HOUR)
def expire_exports() -> None:
    export.expire()
