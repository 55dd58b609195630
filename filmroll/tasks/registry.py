"""Work off the request path: tasks are plain functions of IDs, registered by name and queue,
enqueued once the transaction that asked for them commits, retried with backoff.

The embedded default keeps queued tasks in a table of the global database (durable: nothing
queued is lost on restart); `filmroll serve` runs a worker beside Gunicorn. With
FILMROLL_BROKER_URL set, tasks go to Celery on RabbitMQ instead (celery_app.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone


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
    """Queue `name(*args)` once the current transaction commits (at once outside one)."""
    queue = TASKS[name].queue
    transaction.on_commit(lambda: send(queue, name, list(args)))


def send(queue: str, name: str, args: list) -> None:
    from django.conf import settings

    if settings.FILMROLL.broker_url:
        from filmroll.tasks import celery_app

        celery_app.send(queue, name, args)
    else:
        queue_locally(queue, name, args)


def queue_locally(queue: str, name: str, args: list) -> None:
    """Into the embedded default's durable queue table."""
    from filmroll.tasks.models import QueuedTask

    QueuedTask.objects.create(queue=queue, name=name, args=args, run_after=timezone.now())


def periodic() -> list[Task]:
    return [t for t in TASKS.values() if t.every]


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, at most ten minutes."""
    return timedelta(seconds=min(600, 2**attempts))
