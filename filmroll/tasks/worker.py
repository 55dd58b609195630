"""The embedded default's worker: takes due tasks from the queue table, runs them, and retries
failures with backoff. A task is leased while it runs, so a worker that dies mid-task leaves it
to be taken again: every task runs at least once and must be idempotent."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from filmroll.tasks.dispatch import send
from filmroll.tasks.models import QueuedTask
from filmroll.tasks.registry import TASKS, backoff, perform, periodic

log = logging.getLogger(__name__)
summary = logging.getLogger("filmroll.tasks.summary")


def claim(queues: list[str] | None) -> QueuedTask | None:
    now = timezone.now()
    with transaction.atomic():
        # SQLite has no row locks; its write lock (BEGIN IMMEDIATE) serialises claims instead.
        skip_locked = connection.features.has_select_for_update_skip_locked
        due = QueuedTask.objects.select_for_update(skip_locked=skip_locked).filter(
            failed=False, run_after__lte=now
        )
        if queues:
            due = due.filter(queue__in=queues)
        item = due.order_by("run_after", "id").first()
        if item is None:
            return None
        # Lease by moving run_after: nobody else takes it until the lease runs out.
        item.run_after = now + timedelta(seconds=settings.FILMROLL.task_lease_seconds)
        item.leased_until = item.run_after
        item.attempts += 1
        item.save(update_fields=["run_after", "leased_until", "attempts"])
        return item


def run_one(queues: list[str] | None = None) -> tuple[str, bool] | None:
    """Run one due task: its name and whether it succeeded; None when none was due."""
    item = claim(queues)
    if item is None:
        return None
    task = TASKS.get(item.name)
    try:
        if task is None:
            raise LookupError(f"no task named {item.name!r}")
        perform(task, item.args, item.request_id, item.attempts)
    except Exception:
        item.last_error = traceback.format_exc()[-4000:]
        limit = task.max_attempts if task else 1
        if item.attempts >= limit:
            item.failed = True
            log.error(
                "task %s %s failed for good after %s attempts", item.name, item.args, item.attempts
            )
        else:
            item.run_after = timezone.now() + backoff(item.attempts)
        item.leased_until = None
        item.save(update_fields=["last_error", "failed", "run_after", "leased_until"])
        return item.name, False
    item.delete()
    return item.name, True


def drain(queues: list[str] | None = None, limit: int = 10_000) -> int:
    """Run due tasks until none is left (or `limit`); how many ran."""
    ran = 0
    while ran < limit and run_one(queues):
        ran += 1
    return ran


class Tally:
    """The tasks run since the last summary line, which goes out every `every` seconds at
    most: text logs show it instead of a line per task. Periodic tasks are counted only when
    they fail (they would say the same thing every few minutes)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.last = 0.0

    def add(self, name: str, ok: bool) -> None:
        if not ok:
            self.failed[name] += 1
        elif not (name in TASKS and TASKS[name].every):
            self.done[name] += 1

    def flush(self, now: float) -> str | None:
        """Log the summary when there is one and it is time; the line."""
        if not (self.done or self.failed) or now - self.last < self.every:
            return None
        parts = ", ".join(f"{name} {n}" for name, n in sorted(self.done.items()))
        line = f"tasks: {self.done.total()} done" + (f" ({parts})" if parts else "")
        if self.failed:
            failed = ", ".join(f"{name} {n}" for name, n in sorted(self.failed.items()))
            line += f"; {self.failed.total()} failed ({failed}; retried with backoff)"
        summary.info(line)
        self.done.clear()
        self.failed.clear()
        self.last = now
        return line


def run_forever(
    queues: list[str] | None = None,
    idle_sleep: float = 0.5,
    stop: threading.Event | None = None,
) -> None:
    """Work off the queue until `stop` is set (after the task in hand); periodic tasks of these
    queues are queued when due (the embedded default's beat: `filmroll serve` runs one worker)."""
    due = {t.name: 0.0 for t in periodic() if queues is None or t.queue in queues}
    stop = stop or threading.Event()
    tally = Tally()
    while not stop.is_set():
        close_old_connections()
        queue_periodic(due, time.monotonic())
        ran = 0
        while ran < 100 and not stop.is_set() and (done := run_one(queues)):
            ran += 1
            tally.add(*done)
        tally.flush(time.monotonic())
        if not ran:
            stop.wait(idle_sleep)


def queue_periodic(due: dict[str, float], now: float) -> list[str]:
    """Queue each periodic task whose time (in `due`, by name) has come, and set its next time;
    the names queued."""
    queued = [name for name, at in due.items() if at <= now]
    for name in queued:
        send(TASKS[name].queue, name, [])
        due[name] = now + TASKS[name].every
    return queued
