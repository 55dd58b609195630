"""The embedded default's worker: takes due tasks from the queue table, runs them, and retries
failures with backoff. A task is leased while it runs, and the lease is renewed by the worker's
heartbeat (every third of FILMROLL_TASK_LEASE_SECONDS), so a task is never taken twice while its
worker lives, and a worker that dies mid-task leaves it to be taken again within one lease:
every task runs at least once and must be idempotent.

One worker process runs FILMROLL_TASK_WORKERS tasks at once, in threads (tasks wait on the
databases, not on the CPU). Every transaction it opens is short (a claim, a task's own writes,
a delete), so requests waiting for SQLite's write lock get it between them. Its heartbeat is a
file of the data folder (health.task_worker reads it), so beating takes no database lock."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import traceback
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from filmroll.tasks.dispatch import send
from filmroll.tasks.models import QueuedTask
from filmroll.tasks.registry import TASKS, backoff, perform, periodic

log = logging.getLogger(__name__)
summary = logging.getLogger("filmroll.tasks.summary")


def lease() -> timedelta:
    return timedelta(seconds=settings.FILMROLL.task_lease_seconds)


def threads() -> int:
    """How many tasks one worker process runs at once."""
    return settings.FILMROLL.task_workers or os.cpu_count() or 1


def beats_folder() -> Path:
    return Path(settings.FILMROLL.data_dir) / "heartbeats"


class Heartbeat:
    """A worker process's tasks in hand: their leases renewed, and its beat written (a file
    named for the process, its modification time the last beat), every third of a lease."""

    def __init__(self) -> None:
        self.held: set[int] = set()
        self.lock = threading.Lock()
        self.file = beats_folder() / f"worker-{socket.gethostname()}-{os.getpid()}.json"
        self.started = time.time()

    def hold(self, task_id: int) -> None:
        with self.lock:
            self.held.add(task_id)

    def release(self, task_id: int) -> None:
        with self.lock:
            self.held.discard(task_id)

    def beat(self) -> None:
        with self.lock:
            held = sorted(self.held)
        if held:
            until = timezone.now() + lease()
            # only leases still held: a task that just ended (deleted, or given a backoff with
            # leased_until cleared) is left alone
            QueuedTask.objects.filter(id__in=held, leased_until__isnull=False).update(
                run_after=until, leased_until=until
            )
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_suffix(".partial")
        partial.write_text(
            json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                        "started": self.started, "running": len(held)})
        )  # fmt: skip
        partial.replace(self.file)

    def run(self, stop: threading.Event) -> None:
        """Beat until `stop` is set, then take the beat file away (a worker that stopped is not
        a worker that hangs)."""
        every = settings.FILMROLL.task_lease_seconds / 3
        try:
            while True:
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a missed beat is retried at the next; the lease has slack
                    log.exception("task worker heartbeat failed")
                if stop.wait(every):
                    break
        finally:
            connections.close_all()
            self.file.unlink(missing_ok=True)


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
        item.run_after = now + lease()
        item.leased_until = item.run_after
        item.attempts += 1
        item.save(update_fields=["run_after", "leased_until", "attempts"])
        return item


def run_one(
    queues: list[str] | None = None, heartbeat: Heartbeat | None = None
) -> tuple[str, bool] | None:
    """Run one due task: its name and whether it succeeded; None when none was due. With a
    heartbeat, the task's lease is renewed while it runs."""
    item = claim(queues)
    if item is None:
        return None
    if heartbeat:
        heartbeat.hold(item.id)
    task = TASKS.get(item.name)
    try:
        if task is None:
            raise LookupError(f"no task named {item.name!r}")
        perform(task, item.args, item.request_id, item.attempts)
    except Exception:
        if heartbeat:
            heartbeat.release(item.id)
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
    if heartbeat:
        heartbeat.release(item.id)
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
        self.lock = threading.Lock()  # the worker's threads share one
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.last = 0.0

    def add(self, name: str, ok: bool) -> None:
        with self.lock:
            if not ok:
                self.failed[name] += 1
            elif not (name in TASKS and TASKS[name].every):
                self.done[name] += 1

    def flush(self, now: float) -> str | None:
        """Log the summary when there is one and it is time; the line."""
        with self.lock:
            if not (self.done or self.failed) or now - self.last < self.every:
                return None
            return self._flush(now)

    def _flush(self, now: float) -> str:
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
    workers: int = 0,
) -> None:
    """Work off the queue in `workers` threads (FILMROLL_TASK_WORKERS) until `stop` is set
    (each finishes the task in hand), beating meanwhile; periodic tasks of these queues are
    queued when due (the embedded default's beat: `filmroll serve` runs one worker)."""
    stop = stop or threading.Event()
    heartbeat, tally = Heartbeat(), Tally()
    due = {t.name: 0.0 for t in periodic() if queues is None or t.queue in queues}
    beating = threading.Thread(target=heartbeat.run, args=(stop,), name="heartbeat")
    beating.start()
    others = [
        threading.Thread(target=_work, args=(queues, idle_sleep, stop, heartbeat, tally, None),
                         name=f"tasks-{n}")
        for n in range(1, workers or threads())
    ]  # fmt: skip
    for thread in others:
        thread.start()
    try:
        _work(queues, idle_sleep, stop, heartbeat, tally, due)
    finally:
        stop.set()
        for thread in [*others, beating]:
            thread.join()


def _work(
    queues: list[str] | None,
    idle_sleep: float,
    stop: threading.Event,
    heartbeat: Heartbeat,
    tally: Tally,
    due: dict[str, float] | None,
) -> None:
    """One thread's loop; the one given `due` also queues the periodic tasks."""
    try:
        while not stop.is_set():
            close_old_connections()
            if due is not None:
                queue_periodic(due, time.monotonic())
            ran = 0
            while ran < 100 and not stop.is_set() and (done := run_one(queues, heartbeat)):
                ran += 1
                tally.add(*done)
            tally.flush(time.monotonic())
            if not ran:
                stop.wait(idle_sleep)
    except Exception:
        log.exception("task worker thread failed")
        stop.set()  # the process exits, and `filmroll serve` starts another
        raise
    finally:
        with contextlib.suppress(Exception):
            connections.close_all()


def queue_periodic(due: dict[str, float], now: float) -> list[str]:
    """Queue each periodic task whose time (in `due`, by name) has come, and set its next time;
    the names queued."""
    queued = [name for name, at in due.items() if at <= now]
    for name in queued:
        send(TASKS[name].queue, name, [])
        due[name] = now + TASKS[name].every
    return queued
