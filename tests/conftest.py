"""Fixtures every test gets. The same suite runs on the embedded default and on PostgreSQL with
two physical shard databases; `make test` runs both (see the Makefile). What tests import lives
in tests/support/: personas (alice, bob, carol, dan), images, servers, tasks, the install."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer

from filmroll.discovery import tables
from tests.support.install import reset_install
from tests.support.servers import make_bucket, s3_server
from tests.support.tasks import celery_worker

pytest_plugins = ["tests.support.personas", "tests.support.browser"]

# Django's live test server listens with socketserver's backlog of 5: the tests that send 40
# requests at once would see connections reset instead of queued, as a real server queues them.
ThreadedWSGIServer.request_queue_size = 128


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests touch the global and the shard databases alike, so every test may use all of them.
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases="__all__"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reset_install()
    yield


@pytest.fixture
def empty_index():
    """For committed-transaction tests of the discovery index, which Django's flush leaves alone."""
    tables.clear()


@pytest.fixture(scope="module")
def restores_install(django_db_setup, django_db_blocker):
    """For modules with committed-transaction tests: Django flushes the global database (shard
    map included) after each, and rows stay in the shards; put the install back afterwards.
    Module scope, so this runs after the last test's flush."""
    yield
    with django_db_blocker.unblock():
        reset_install()


@pytest.fixture
def installed_for_servers(django_db_blocker):
    """For committed-transaction tests that start `filmroll serve` (live_filmroll): Django's flush
    after the test before took the shard map, which this process keeps in memory but a server
    reads from the database. Put the install back first (before the test's people are made)."""
    from filmroll.sharding import shardmap

    with django_db_blocker.unblock():
        if not shardmap.exists():
            reset_install()


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:
    # Tests still go through Django's hashers, just a cheap one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _configured_s3():
    """When the run is configured for S3 storage (the cluster run), serve that endpoint."""
    config = settings.FILMROLL
    if config.storage != "s3":
        yield
        return
    port = int(config.s3_endpoint_url.rsplit(":", 1)[1])
    with s3_server(port) as url:
        make_bucket(url, config.s3_bucket)
        yield


@pytest.fixture(scope="session", autouse=True)
def _cluster_backends(django_db_setup):
    """Empty the cluster run's Redis and memcached at the start; stop the Celery worker before the
    test databases go."""
    from django.core.cache import caches

    config = settings.FILMROLL
    if config.feed_redis:
        import redis

        for url in config.feed_redis:
            redis.Redis.from_url(url).flushdb()
    for alias in settings.CACHES:
        caches[alias].clear()
    if config.broker_url:
        celery_worker.start()  # before any test queues a task: starting purges what is queued
    yield
    celery_worker.stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Test transactions roll rows back; the object cache must not remember them.
    from django.core.cache import cache

    cache.clear()
    from filmroll.feeds import home
    from filmroll.feeds.store import store

    home.forget_celebrities()
    from filmroll.limits import ratelimit

    ratelimit.reset(database=False)  # counts in Redis outlive test transactions

    store.cache_clear()
