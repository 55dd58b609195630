"""Celery, for cluster mode (FILMROLL_BROKER_URL, RabbitMQ): every registered task runs through
one Celery task that looks it up by name, on the task's own queue, acknowledged late (a worker
that dies mid-task leaves the message to be redelivered) and retried with backoff."""

from __future__ import annotations

from celery import Celery
from django.conf import settings

from filmroll.tasks.registry import TASKS, perform, periodic

app = Celery("filmroll")
app.conf.update(
    broker_url=settings.FILMROLL.broker_url or "memory://",
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="default",
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="filmroll.run", bind=True, max_retries=None)
def run(self, name: str, args: list, request_id: str = "") -> None:
    task = TASKS[name]
    try:
        perform(task, args, request_id, self.request.retries + 1)
    except Exception as error:
        if self.request.retries + 1 >= task.max_attempts:
            raise
        raise self.retry(exc=error, countdown=min(600, 2 ** (self.request.retries + 1))) from error


@app.on_after_finalize.connect
def _set_schedule(sender: Celery, **kwargs: object) -> None:
    # A module-level function: Celery's signals keep only weak references, and a lambda
    # connected here was collected at once, leaving beat with an empty schedule.
    sender.conf.beat_schedule = schedule()


def schedule() -> dict:
    """Celery beat's schedule: each periodic task, on its own queue."""
    return {
        t.name: {
            "task": "filmroll.run",
            "schedule": float(t.every),
            "args": [t.name, []],
            "options": {"queue": t.queue},
        }
        for t in periodic()
    }


def send(queue: str, name: str, args: list, origin: str = "") -> None:
    run.apply_async(args=(name, args), kwargs={"request_id": origin}, queue=queue, retry=True)
