import dataclasses
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from filmroll.tasks import dispatch, registry, worker
from filmroll.tasks.models import QueuedTask

calls: list[tuple] = []


@pytest.fixture(autouse=True)
def _embedded_queue(settings):
    """These tests are of the embedded default's queue, whatever the run's broker."""
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, broker_url="")


@registry.task("test.record", queue="test", max_attempts=3)
def record(*args):
    calls.append(args)


@registry.task("test.explode", queue="test", max_attempts=2)
def explode(*args):
    raise RuntimeError("boom")


def test_a_task_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        dispatch.enqueue("test.record", 1, 2)
        assert not QueuedTask.objects.exists()
    assert len(callbacks) == 1
    calls.clear()
    assert worker.drain(["test"]) == 1
    assert calls == [(1, 2)]
    assert not QueuedTask.objects.exists()


def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                dispatch.enqueue("test.record", 3)
                raise ValueError
        except ValueError:
            pass
    assert callbacks == []
    assert not QueuedTask.objects.exists()


def test_a_failing_task_is_retried_with_backoff_then_kept_as_failed():
    dispatch.queue_locally("test", "test.explode", [7])
    assert worker.run_one(["test"])
    item = QueuedTask.objects.get()
    assert item.attempts == 1 and not item.failed
    assert item.run_after > timezone.now() + timedelta(seconds=1)  # backoff
    assert "boom" in item.last_error
    assert not worker.run_one(["test"])  # not due yet
    QueuedTask.objects.update(run_after=timezone.now())
    assert worker.run_one(["test"])
    item.refresh_from_db()
    assert item.failed and item.attempts == 2
    assert not worker.run_one(["test"])


def test_a_task_left_by_a_dead_worker_is_taken_again_after_its_lease():
    dispatch.queue_locally("test", "test.record", [9])
    claimed = worker.claim(["test"])  # a worker takes it, then dies
    assert claimed is not None
    assert worker.claim(["test"]) is None  # leased: nobody else takes it
    QueuedTask.objects.update(run_after=timezone.now() - timedelta(seconds=1))  # the lease runs out
    calls.clear()
    assert worker.run_one(["test"])
    assert calls == [(9,)]


def test_workers_take_only_their_queues():
    dispatch.queue_locally("other", "test.record", [1])
    assert not worker.run_one(["test"])
    assert worker.run_one(["other"])


@registry.task("test.tick", queue="test", every=60)
def tick():
    calls.append(("tick",))


def test_periodic_tasks_are_queued_when_due_and_then_every_period():
    from filmroll.tasks import celery_app

    due = {"test.tick": 0.0}
    assert worker.queue_periodic(due, 1000.0) == ["test.tick"]
    assert due["test.tick"] == 1060.0
    assert worker.queue_periodic(due, 1059.0) == []  # not yet
    calls.clear()
    assert worker.drain(["test"]) == 1 and calls == [("tick",)]
    assert worker.queue_periodic(due, 1060.0) == ["test.tick"]
    beat = celery_app.schedule()  # the same tasks, for Celery beat in a cluster
    assert beat["test.tick"]["schedule"] == 60.0
    assert beat["discovery.popular"]["options"] == {"queue": "index"}


def test_celery_beat_is_given_every_periodic_task():
    """What beat reads is the app's configuration once finalized, not schedule() itself."""
    import gc

    from filmroll.tasks import celery_app

    gc.collect()  # a handler Celery kept only weakly would be gone now
    celery_app.app.finalize()
    configured = celery_app.app.conf.beat_schedule
    assert {"outbox.relay", "discovery.popular", "media.sweep_orphans"} <= set(configured)
    assert configured["outbox.relay"]["args"] == ["outbox.relay", []]
