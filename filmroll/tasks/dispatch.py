"""Queueing a task: after the current transaction commits, to Celery on RabbitMQ when
FILMROLL_BROKER_URL is set, else into the embedded default's durable queue table."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from filmroll.observe.context import request_id
from filmroll.tasks.registry import TASKS


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
