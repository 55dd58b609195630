"""Queueing a task: after the current transaction commits, to Celery on RabbitMQ when
FILMROLL_BROKER_URL is set, else into the embedded default's durable queue table.

A task is never lost because the broker is down: what cannot be published is held in the queue
table of the global database, and the outbox relay (sharding/outbox.py, a periodic task)
publishes it once the broker answers again. A write that must not lose its tasks even when the
process dies just after its commit queues them in its own transaction: `sharding.outbox.enqueue`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from filmroll.observe.context import request_id
from filmroll.tasks.registry import TASKS

log = logging.getLogger(__name__)

# After a failed publish, hold tasks without trying the broker for this long: each try costs a
# request most of a second while the broker is away.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


def enqueue(name: str, *args: Any) -> None:
    """Queue `name(*args)` once the current transaction commits (at once outside one). The task
    carries the ID of the request (or task) that queued it, for the logs."""
    queue, origin = TASKS[name].queue, request_id.get()
    transaction.on_commit(lambda: send(queue, name, list(args), origin))


def send(queue: str, name: str, args: list, origin: str = "") -> None:
    """Publish the task, or hold it when the broker is down (never raises for that: the write
    that asked for it has committed already)."""
    global _broker_down_until
    if not settings.FILMROLL.broker_url:
        queue_locally(queue, name, args, origin)
        return
    if time.monotonic() >= _broker_down_until:
        try:
            publish(queue, name, args, origin)
            return
        except Exception as error:
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            log.warning("broker unreachable, task %s held for the relay: %s", name, error)
    queue_locally(queue, name, args, origin)


def publish(queue: str, name: str, args: list, origin: str = "") -> None:
    from filmroll.tasks import celery_app

    celery_app.send(queue, name, args, origin)


def queue_locally(queue: str, name: str, args: list, origin: str = "") -> None:
    """Into the durable queue table: the embedded default's queue, or, with a broker, where
    tasks wait for it (relay_held)."""
    from filmroll.tasks.models import QueuedTask

    QueuedTask.objects.create(
        queue=queue, name=name, args=args, run_after=timezone.now(), request_id=origin
    )


def relay_held(batch: int = 500) -> int:
    """With a broker: publish the tasks held while it was down, oldest first, each row deleted
    once published; stops at the first failure. How many went."""
    global _broker_down_until
    if not settings.FILMROLL.broker_url:
        return 0  # the table is the queue itself
    from filmroll.tasks.models import QueuedTask

    sent = 0
    for item in QueuedTask.objects.filter(failed=False).order_by("id")[:batch]:
        try:
            publish(item.queue, item.name, item.args, item.request_id)
        except Exception as error:
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            log.warning("broker still unreachable, %s tasks held: %s", item.name, error)
            break
        item.delete()
        sent += 1
    if sent:
        _broker_down_until = 0.0
        log.info("relayed %s held tasks to the broker", sent)
    return sent
