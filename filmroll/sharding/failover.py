"""Fail-over of a physical shard database: its streaming replica becomes the primary.

Replication is asynchronous, so the replica may lack the primary's last commits: `promote`
reports what the replica had received and replayed, and when its last replayed transaction
committed. It refuses while the primary still answers (two primaries would split the data).
The app reaches each primary through pgbouncer; pointing that pgbouncer at the promoted server
moves every app process over at once, with no restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from filmroll.sharding import replicas

Progress = Callable[[str], None]


class FailoverError(Exception):
    """The promotion cannot be made; the message says why and what to do."""


@dataclass
class Promoted:
    physical: str
    received_lsn: str
    replayed_lsn: str
    last_commit_age_s: float | None  # how old the newest replayed commit was when promoted
    repointed: bool


def _answers(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return not cursor.fetchone()[0]
    except DatabaseError:
        return False
    finally:
        connections[alias].close()


def promote(
    physical: str, repoint: Callable[[str], bool], progress: Progress = lambda line: None
) -> Promoted:
    """Promote `physical`'s replica; `repoint(physical)` points its pgbouncer at the replica and
    says whether it could."""
    if physical not in settings.FILMROLL.shard_replicas:
        raise FailoverError(
            f"{physical} has no replica in FILMROLL_SHARD_REPLICAS: there is nothing to promote"
        )
    if _answers(physical):
        raise FailoverError(
            f"the primary of {physical} still answers: stop it first, or two primaries would"
            " take writes"
        )
    replica = replicas.alias(physical)
    with connections[replica].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn()::text,"
            " pg_last_wal_replay_lsn()::text,"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        )
        recovering, received, replayed, age = cursor.fetchone()
        if not recovering:
            raise FailoverError(f"the replica of {physical} is a primary already")
        progress(f"promoting the replica of {physical} (received {received}, replayed {replayed})")
        cursor.execute("SELECT pg_promote(true, 60)")
        if not cursor.fetchone()[0]:
            raise FailoverError(f"the replica of {physical} did not finish promoting in 60 s")
    connections[replica].close()
    repointed = repoint(physical)
    if repointed:
        deadline = time.monotonic() + 30
        while not _answers(physical):
            if time.monotonic() > deadline:
                raise FailoverError(f"{physical} does not take writes after the promotion")
            time.sleep(0.2)
    return Promoted(physical, received or "", replayed or "", age, repointed)
