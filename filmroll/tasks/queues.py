"""How many tasks wait in each queue: the embedded queue table, or RabbitMQ through Celery."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db.models import Count

from filmroll.tasks.registry import TASKS


def names() -> list[str]:
    return sorted({t.queue for t in TASKS.values()})


def depths() -> dict[str, int]:
    """Tasks waiting, by queue. With a broker, also those held in the table while it was down
    (dispatch.relay_held sends them on): they wait all the same."""
    from filmroll.tasks.models import QueuedTask

    found = dict.fromkeys(names(), 0)
    rows = QueuedTask.objects.filter(failed=False).values("queue").annotate(n=Count("id"))
    for row in rows:
        found[row["queue"]] = found.get(row["queue"], 0) + row["n"]
    if settings.FILMROLL.broker_url:
        from filmroll.tasks.celery_app import app

        with app.connection_for_write() as conn:
            for queue in names():
                with contextlib.suppress(Exception):  # a queue not declared yet holds nothing
                    # kombu's stubs type the channel as the abstract StdChannel; the AMQP
                    # transport's channel has queue_declare
                    found[queue] += conn.default_channel.queue_declare(  # type: ignore[attr-defined]
                        queue=queue, passive=True
                    ).message_count
    return found
