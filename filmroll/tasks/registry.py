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

from filmroll.observe.context import new_request_id, request_id

log = logging.getLogger("filmroll.task")


@dataclass(frozen=True)
class Task:
    name: str
    queue: str
    run: Callable[..., Any]
    max_attempts: int
    every: int  # seconds between runs of a periodic task (it takes no arguments); else 0


TASKS: dict[str, Task] = {}


def task(name: str, queue: str, max_attempts: int = 8, every: int = 0) -> Callable:
    def register(run: Callable) -> Callable:
        TASKS[name] = Task(name, queue, run, max_attempts, every)
        return run

    return register


def perform(task: Task, args: list, origin: str, attempt: int) -> None:
    """Run a task under the request ID that queued it (so what it queues carries it on), with
    its metrics and one log line; exceptions go on to the caller, which retries."""
    from filmroll.observe import metrics

    token = request_id.set(origin or new_request_id())
    start, outcome = time.perf_counter(), "error"
    try:
        task.run(*args)
        outcome = "ok"
    finally:
        metrics.child(metrics.TASKS, task.name, outcome).inc()
        # a periodic task's every success (the outbox relay's every 5 s) would drown the log:
        # those are in the metrics, and at debug
        log.log(
            logging.DEBUG if task.every and outcome == "ok" else logging.INFO,
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
