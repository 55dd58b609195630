"""How many tasks wait in each queue: the embedded queue table, or RabbitMQ through Celery."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db.models import Count

from filmroll.tasks.registry import TASKS


def names() -> list[str]:
    return sorted({t.queue for t in TASKS.values()})


def depths() -> dict[str, int]:
    found = dict.fromkeys(names(), 0)
    if settings.FILMROLL.broker_url:
        from filmroll.tasks.celery_app import app

        with app.connection_for_write() as conn:
            for queue in found:
                with contextlib.suppress(Exception):  # a queue not declared yet holds nothing
                    # kombu's stubs type the channel as the abstract StdChannel; the AMQP
                    # transport's channel has queue_declare
                    found[queue] = conn.default_channel.queue_declare(  # type: ignore[attr-defined]
                        queue=queue, passive=True
                    ).message_count
        return found
    from filmroll.tasks.models import QueuedTask

    rows = QueuedTask.objects.filter(failed=False).values("queue").annotate(n=Count("id"))
    found.update({row["queue"]: row["n"] for row in rows})
    return found
