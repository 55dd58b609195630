"""Work off the request path: tasks are plain functions of IDs, registered by name and queue,
enqueued once the transaction that asked for them commits, retried with backoff.

The embedded default keeps queued tasks in a table of the global database (durable: nothing
queued is lost on restart); `filmroll serve` runs a worker beside Gunicorn. With
FILMROLL_BROKER_URL set, tasks go to Celery on RabbitMQ instead (celery_app.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from filmroll.ops.context import new_request_id, request_id

log = logging.getLogger("filmroll.task")


@dataclass(frozen=True)
class Task:
    name: str
    queue: str
    run: Callable[..., Any]
    max_attempts: int
    every: int | None  # seconds, for a periodic task (it takes no arguments)


TASKS: dict[str, Task] = {}


def task(name: str, queue: str, max_attempts: int = 8, every: int | None = None) -> Callable:
    def register(run: Callable) -> Callable:
        TASKS[name] = Task(name, queue, run, max_attempts, every)
        return run

    return register


def enqueue(name: str, *args: Any) -> None:
    """Queue `name(*args)` once the current transaction commits (at once outside one). The task
    carries the ID of the request (or task) that queued it, for the logs."""
    queue, origin = TASKS[name].queue, request_id.get()
    transaction.on_commit(lambda: send(queue, name, list(args), origin))


def send(queue: str, name: str, args: list, origin: str = "") -> None:
    from django.conf import settings

    if settings.FILMROLL.broker_url:
        from filmroll.tasks import celery_app

        celery_app.send(queue, name, args, origin)
    else:
        queue_locally(queue, name, args, origin)


def queue_locally(queue: str, name: str, args: list, origin: str = "") -> None:
    """Into the embedded default's durable queue table."""
    from filmroll.tasks.models import QueuedTask

    QueuedTask.objects.create(
        queue=queue, name=name, args=args, run_after=timezone.now(), request_id=origin
    )


def perform(task: Task, args: list, origin: str, attempt: int) -> None:
    """Run a task under the request ID that queued it (so what it queues carries it on), with
    its metrics and one log line; exceptions go on to the caller, which retries."""
    from filmroll.ops import metrics

    token = request_id.set(origin or new_request_id())
    start, outcome = time.perf_counter(), "error"
    try:
        task.run(*args)
        outcome = "ok"
    finally:
        metrics.TASKS.labels(task.name, outcome).inc()
        log.info(
            "task %s %s",
            task.name,
            outcome,
            extra={"task": task.name, "queue": task.queue, "outcome": outcome, "attempt": attempt,
                   "request_id": request_id.get(),
                   "ms": round((time.perf_counter() - start) * 1000, 2)},
        )  # fmt: skip
        request_id.reset(token)


def periodic() -> list[Task]:
    return [t for t in TASKS.values() if t.every]


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, at most ten minutes."""
    return timedelta(seconds=min(600, 2**attempts))
