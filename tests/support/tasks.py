"""Running queued background tasks in tests: the embedded queue, or a real Celery worker."""

from __future__ import annotations

import contextlib
import threading
import time

from django.conf import settings


def run_tasks() -> int:
    """Run every queued background task, including those that tasks queue: the embedded queue
    here and now, or, with a broker, by waiting for the Celery worker to go idle."""
    from filmroll.tasks import worker

    if not settings.FILMROLL.broker_url:
        return worker.drain()
    celery_worker.wait_idle()
    return 0


class _CeleryWorker:
    """A real Celery worker consuming from RabbitMQ, in this process (so it uses the test
    databases), started on first use. Its tasks run in a thread pool: with the solo pool, tasks
    that queue further tasks from inside the consumer stalled it."""

    QUEUES = ["fanout", "feeds", "deletes", "index", "default"]

    def __init__(self) -> None:
        self.context = None
        self.running = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        from celery.contrib.testing.worker import start_worker
        from celery.signals import task_postrun, task_prerun
        from django.db import connections

        from filmroll.tasks.celery_app import app

        def before(**kwargs):
            with self.lock:
                self.running += 1

        def after(**kwargs):
            connections.close_all()  # the worker thread's own connections
            with self.lock:
                self.running -= 1

        task_prerun.connect(before, weak=False)
        task_postrun.connect(after, weak=False)
        with app.connection_for_write() as conn:  # drop what an earlier run left queued
            for queue in self.QUEUES:
                with contextlib.suppress(Exception):
                    conn.default_channel.queue_purge(queue)
        self.context = start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            queues=self.QUEUES,
            loglevel="WARNING",
        )
        self.context.__enter__()

    def depth(self) -> int:
        from filmroll.tasks.celery_app import app

        total = 0
        with app.connection_for_write() as conn:
            for queue in self.QUEUES:
                with contextlib.suppress(Exception):  # a queue not declared yet holds nothing
                    total += conn.default_channel.queue_declare(
                        queue=queue, passive=True
                    ).message_count
        return total

    def wait_idle(self, timeout: float = 60) -> None:
        if self.context is None:
            self.start()
        deadline, quiet = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            quiet = quiet + 1 if self.running == 0 and self.depth() == 0 else 0
            if quiet >= 3:
                return
            time.sleep(0.05)
        from filmroll.tasks.celery_app import app

        with app.connection_for_write() as conn:
            depths = {
                q: tuple(conn.default_channel.queue_declare(queue=q, passive=True))[1:]
                for q in self.QUEUES
            }
        raise TimeoutError(
            f"background tasks did not finish: {self.running} running, queued {depths}"
        )

    def stop(self) -> None:
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = None


celery_worker = _CeleryWorker()
