import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client


def test_healthz_reports_every_backend():
    response = Client().get("/healthz/deep")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["backends"]["database:global"]["ok"] is True
    shard_backends = [name for name in report["backends"] if name.startswith("database:shard:")]
    assert len(shard_backends) == len(connections.settings) - 2  # all but global and index


@pytest.fixture
def a_database_that_is_down():
    broken = dict(connections["default"].settings_dict)
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = "/nonexistent/dir/down.sqlite3"
    else:
        broken["PORT"] = "1"  # nothing listens there
    connections.settings["down"] = broken
    yield
    connections["down"].close()
    del connections["down"]
    del connections.settings["down"]


def test_healthz_answers_503_when_a_database_is_down(a_database_that_is_down):
    response = Client().get("/healthz/deep")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "failing"
    assert report["backends"]["database:shard:down"]["ok"] is False
    assert report["backends"]["database:global"]["ok"] is True


def test_the_home_page_says_what_is_running():
    response = Client().get("/status")
    assert response.status_code == 200
    assert b"logical shards" in response.content


def test_healthz_is_cheap_and_touches_no_backend(
    a_database_that_is_down, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_deep_health_names_every_backend_this_install_uses(settings):
    report = Client().get("/healthz/deep").json()["backends"]
    config = settings.FILMROLL
    assert "database:index" in report
    assert {f"redis:feeds:{n}" for n in range(len(config.feed_redis))} <= set(report)
    assert {f"memcached:{s}" for s in config.cache_servers} <= set(report)
    assert ("broker" in report) == bool(config.broker_url)
    assert ("storage:s3" in report) == (config.storage == "s3")
    for state in report.values():
        assert state["ok"] is True and state["ms"] >= 0 and state["where"]


def test_deep_health_reports_a_redis_that_is_down(settings):
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=("redis://127.0.0.1:1/0",), cache_servers=("127.0.0.1:2",)
    )
    answer = Client().get("/healthz/deep")
    assert answer.status_code == 503
    report = answer.json()["backends"]
    assert (
        report["redis:feeds:0"]["ok"] is False and "Connection" in report["redis:feeds:0"]["error"]
    )
    assert report["memcached:127.0.0.1:2"]["ok"] is False


def test_filmroll_check_prints_each_backend_and_fails_when_one_is_down(settings):
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "database:global" in out.getvalue() and "backends answer" in out.getvalue()
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=("redis://127.0.0.1:1/0",)
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="redis:feeds:0"):
        call_command("check", stdout=out)
    assert "DOWN" in out.getvalue()


def test_deep_health_reports_a_database_with_no_install_as_down():
    from filmroll.sharding import shardmap
    from filmroll.sharding.models import LogicalShard

    LogicalShard.objects.all().delete()  # as in a global database `filmroll init` never saw
    try:
        answer = Client().get("/healthz/deep")
    finally:
        shardmap.reload()
    assert answer.status_code == 503
    state = answer.json()["backends"]["install"]
    assert state["ok"] is False
    assert state["error"].startswith("no filmroll install in ")
    assert state["error"].endswith(": run `filmroll init`")
    assert answer.json()["backends"]["database:global"]["ok"] is True  # the database answers


def test_deep_health_and_check_report_the_task_workers_heartbeat_and_the_queues_wait(settings):
    """The embedded queue's worker: down when its heartbeat is stale (it hangs) or a due task
    waited past the bound (nobody works off the queue); the figures either way."""
    import os
    import time
    from datetime import timedelta

    from django.utils import timezone

    from filmroll.tasks import dispatch
    from filmroll.tasks.models import QueuedTask
    from filmroll.tasks.worker import Heartbeat

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, broker_url="")
    state = Client().get("/healthz/deep").json()["backends"]["tasks:worker"]
    assert state["ok"] is True and state["heartbeat_age"] is None  # no worker here yet
    dispatch.queue_locally("default", "feeds.note_follower_count", [1])
    QueuedTask.objects.update(run_after=timezone.now() - timedelta(seconds=1000))
    answer = Client().get("/healthz/deep")
    assert answer.status_code == 503
    state = answer.json()["backends"]["tasks:worker"]
    assert state["ok"] is False and state["oldest_task_wait"] >= 1000
    assert "is the task worker running?" in state["error"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="tasks:worker"):
        call_command("check", stdout=out)
    assert "heartbeat none: no worker runs, oldest due task waiting 1000 s" in out.getvalue()
    QueuedTask.objects.all().delete()
    beat = Heartbeat()  # this process stands for a worker: its beat file, 100 s old
    beat.beat()
    try:
        os.utime(beat.file, (time.time() - 100, time.time() - 100))
        answer = Client().get("/healthz/deep")
        assert answer.status_code == 503
        state = answer.json()["backends"]["tasks:worker"]
        assert state["heartbeat_age"] >= 100 and "last heartbeat was 100 s ago" in state["error"]
        beat.beat()
        answer = Client().get("/healthz/deep")
        assert answer.status_code == 200
        assert answer.json()["backends"]["tasks:worker"]["heartbeat_age"] < 5
        out = io.StringIO()
        call_command("check", stdout=out)
        assert "(heartbeat 0 s ago, oldest due task waiting 0 s)" in out.getvalue()
    finally:
        beat.file.unlink(missing_ok=True)
