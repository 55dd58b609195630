"""The outbox: tasks written on a logical shard in the same transaction as the write that needs
them, so a committed write never loses its tasks, whatever dies after the commit.

Two uses, one table:

- `enqueue(shard, name, *args)` inside `db.atomic(shard)`: the task is sent once the transaction
  commits (to RabbitMQ, or the embedded queue table) and its row deleted. When sending fails (the
  broker is down) or the process dies first, the row stays and the relay sends it later.
- `remember(shard, name, *args)` inside the first transaction of a write that spans two shards
  (a follow, a like, a block): a task that finishes the write. The writer finishes it itself at
  once (`finish`) and deletes the row; only if it dies or fails first does the relay send it.

`relay`, a periodic task (run by the embedded worker, or queued by Celery beat), sends every row
older than `GRACE_SECONDS`, then deletes it: rows may be sent twice (a relay that dies between
the send and the delete), never lost, so the tasks they name must be idempotent.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from filmroll.observe.context import request_id
from filmroll.sharding import db, replicas, shardmap
from filmroll.sharding.schema import Step
from filmroll.tasks import dispatch
from filmroll.tasks.registry import TASKS, task

log = logging.getLogger(__name__)

STEPS = [
    Step(
        "0004_outbox",
        """
        CREATE TABLE {s}outbox (
            {id},
            name text NOT NULL,
            args text NOT NULL,
            request_id text NOT NULL DEFAULT '',
            created_ms bigint NOT NULL
        );
        """,
    ),
]

# A row this young may still be in the hands of the request that wrote it: the relay leaves it.
GRACE_SECONDS = 10
RELAY_EVERY = 5


def _put(shard: int, name: str, args: list) -> int:
    if name not in TASKS:
        raise LookupError(f"no task named {name!r}")
    return db.insert(
        shard,
        "outbox",
        {
            "name": name,
            "args": json.dumps(args),
            "request_id": request_id.get(),
            "created_ms": int(time.time() * 1000),
        },
    )


def enqueue(shard: int, name: str, *args: Any) -> None:
    """Queue `name(*args)` with the open transaction on `shard`: written there now, sent when it
    commits (at once outside a transaction)."""
    row_id, origin = _put(shard, name, list(args)), request_id.get()
    transaction.on_commit(
        lambda: _send_rows(shard, [(row_id, name, list(args), origin)]),
        using=shardmap.physical_of(shard),
    )


def remember(shard: int, name: str, *args: Any) -> int:
    """Record, in the open transaction on `shard`, the task that finishes this write; its row's
    ID for `finish`."""
    return _put(shard, name, list(args))


def finish(shard: int, row_id: int, run: Callable[[], object]) -> None:
    """After the first transaction committed: finish the write now and forget its record. A
    failure is logged, not raised: the write stands, and the relay finishes it later."""
    pause_for_tests("finish")
    try:
        run()
        done(shard, row_id)
    except Exception:
        log.exception("a write was left to its outbox record %s on shard %s", row_id, shard)


def done(shard: int, row_id: int) -> None:
    db.execute(shard, "DELETE FROM {outbox} WHERE id = %s", [row_id])


def _send_rows(shard: int, rows: list[tuple[int, str, list, str]]) -> int:
    """Send these rows' tasks, then delete the rows; how many went. Sending holds a task when the
    broker is down (dispatch.send), so only a database failure stops it: those rows stay."""
    sent: list[int] = []
    try:
        for row_id, name, args, origin in rows:
            dispatch.send(TASKS[name].queue, name, args, origin)
            sent.append(row_id)
    except Exception:
        log.exception("outbox rows on shard %s left for the relay", shard)
    if sent:
        marks = ", ".join(["%s"] * len(sent))
        db.execute(shard, f"DELETE FROM {{outbox}} WHERE id IN ({marks})", sent)
    return len(sent)


def _older_than(seconds: float, batch: int) -> dict[int, list[tuple[int, str, list, str]]]:
    """Rows written more than `seconds` ago, by shard (at most `batch` per outbox table, oldest
    first): one query per physical database, from its primary."""
    cutoff = int((time.time() - seconds) * 1000)
    found: dict[int, list[tuple[int, str, list, str]]] = {}
    with replicas.primary():
        for physical in shardmap.physicals():
            # each schema's table on PostgreSQL; SQLite's logical shards share one table
            on = shardmap.logical_on(physical)
            shards = on if db.is_postgres(physical) else on[:1]
            parts = [
                f"SELECT * FROM (SELECT {shard}, id, name, args, request_id"
                f" FROM {db.table(shard, 'outbox')} WHERE created_ms <= %s ORDER BY id LIMIT %s)"
                f" AS part_{shard}"
                for shard in shards
            ]
            rows = db.fetchall(shards[0], " UNION ALL ".join(parts), [cutoff, batch] * len(shards))
            for shard, row_id, name, args, origin in rows:
                found.setdefault(shard, []).append((row_id, name, json.loads(args), origin))
    return found


def waiting(older_than_seconds: float = 0) -> list[tuple[int, int, str, list]]:
    """What waits in every shard's outbox: (shard, id, task name, args)."""
    return [
        (shard, row_id, name, args)
        for shard, rows in _older_than(older_than_seconds, 10_000).items()
        for row_id, name, args, _ in rows
    ]


def relay(grace_seconds: float = GRACE_SECONDS, batch: int = 500) -> int:
    """Send the tasks of rows nobody finished (older than the grace), then the tasks held while
    the broker was down; how many were sent."""
    sent = 0
    for shard, rows in _older_than(grace_seconds, batch).items():
        sent += _send_rows(shard, [row for row in rows if row[1] in TASKS])
    return sent + dispatch.relay_held()


@task("outbox.relay", queue="default", every=RELAY_EVERY)
def relay_task() -> None:
    relay()


def pause_for_tests(point: str) -> None:
    """A fault point for the tests that kill a process mid-write (FILMROLL_TEST_PAUSE, unset in
    use): write this process's ID to the file it names, once, and wait to be killed."""
    at, _, file = settings.FILMROLL.test_pause.partition(":")
    if at != point or Path(file).exists():
        return
    Path(file).write_text(str(os.getpid()))
    while True:
        time.sleep(1)
