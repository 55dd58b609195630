"""A worker killed in the middle of a fan-out: after redelivery every follower's feed has the
post exactly once. A real worker process (`filmroll worker`, the embedded queue's or Celery's on
RabbitMQ) is killed with SIGKILL and another started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connections

from filmroll.feeds.store import store
from filmroll.sharding import db, ids
from tests.support.images import jpeg_bytes, upload
from tests.support.install import TEST_LOGICAL_SHARDS
from tests.support.personas import make_user
from tests.support.tasks import celery_worker

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

FOLLOWERS = 4000
BATCH = 40


def _database_url(alias: str) -> str:
    params = connections[alias].settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "FILMROLL_DATABASE_URL": _database_url("default"),
        "FILMROLL_SHARD_DATABASES": ",".join(
            f"{a}={_database_url(a)}" for a in settings.FILMROLL.shard_databases
        ),
        "FILMROLL_FANOUT_BATCH": str(BATCH),
        # the default lease: renewed by the heartbeat while a task runs, short enough that the
        # killed worker's task is taken again within seconds
    }
    return subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes Celery's children too
    )


def delivered(followers: list[int], media_id: int) -> list[int]:
    """How many times the post is in each follower's feed."""
    return [(store().read(f) or []).count(media_id) for f in followers]


def test_a_worker_killed_mid_fan_out_leaves_each_feed_with_the_post_once():
    celery_worker.stop()  # only the worker processes started here consume
    owner, owner_api = make_user("owner")
    # Followers straight into the owner's shard (fan-out reads only that table), many rows a
    # statement, each with an existing (empty) feed, which takes deliveries.
    start_ms = ids.EPOCH_MS + 1_000_000
    followers = [ids.make_id(start_ms + n, n % TEST_LOGICAL_SHARDS, n) for n in range(FOLLOWERS)]
    for start in range(0, FOLLOWERS, 500):
        part = followers[start : start + 500]
        db.execute(
            ids.shard_of(owner.id),
            "INSERT INTO {followers} (user_id, follower_id, created_ms) VALUES "
            + ", ".join(["(%s, %s, 0)"] * len(part)),
            [value for follower in part for value in (owner.id, follower)],
        )
    for follower in followers:
        store().replace(follower, [])
    first = start_worker()
    try:
        media_id = int(upload(owner_api, jpeg_bytes((200, 200))).json()["data"]["id"])
        deadline = time.monotonic() + 60
        first_batch = sorted(followers)[0]  # batches go in follower-ID order
        while not delivered([first_batch], media_id)[0] and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(first.pid, signal.SIGKILL)  # in the middle of the fan-out
        first.wait()
        done_before = sum(delivered(followers, media_id))
        assert 0 < done_before < FOLLOWERS, "the kill should land mid fan-out"
        second = start_worker()
        try:
            deadline = time.monotonic() + settings.FILMROLL.task_lease_seconds + 20
            while time.monotonic() < deadline and sum(delivered(followers, media_id)) < FOLLOWERS:
                time.sleep(0.5)
            time.sleep(1)  # let any redelivered batch finish, to catch a second copy
            assert delivered(followers, media_id) == [1] * FOLLOWERS
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
