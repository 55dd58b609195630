"""Stored files that no row names, and the sweeper that removes them.

A photo's files are stored before its row is written (a row never points at a missing file),
so a process killed between the two, or a delete whose task never ran, leaves files behind.
The sweeper removes those a day old: an upload in flight is never that old.
"""

from __future__ import annotations

from collections.abc import Iterator

from filmroll.accounts.models import User
from filmroll.files import storage
from filmroll.media.rows import file_keys
from filmroll.sharding import db, shardmap

DAY = 24 * 3600


def named() -> Iterator[str]:
    """Every key a row names: each size of every photo on every logical shard, and every
    profile picture."""
    for shard in range(shardmap.logical_count()):
        for images, carousel in db.fetchall(shard, "SELECT images, carousel FROM {media}"):
            yield from file_keys(images, carousel)  # every photo of an album
    yield from User.objects.exclude(avatar_key="").values_list("avatar_key", flat=True)


def sweep(older_than: float = DAY) -> int:
    """Remove files older than `older_than` seconds that no row names; how many."""
    old = set(storage.keys(older_than))
    if not old:
        return 0
    orphans = old - set(named())
    storage.discard(sorted(orphans))
    return len(orphans)
