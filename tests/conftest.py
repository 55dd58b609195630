"""Shared fixtures. The same suite runs on the embedded default and on PostgreSQL with two
physical shard databases; `make test` runs both (see the Makefile)."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from filmroll.accounts import tokens
from filmroll.accounts.models import User
from filmroll.discovery import rebuild, tables
from filmroll.sharding import db, schema, shardmap
from filmroll.sharding.migrate import migrate_shards

TEST_LOGICAL_SHARDS = 8
PASSWORD = "a long test passphrase"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests touch the global and the shard databases alike, so every test may use all of them.
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases="__all__"))


def _reset_install() -> None:
    """The shard map in place and every shard table empty."""
    if not shardmap.exists():
        shardmap.create(TEST_LOGICAL_SHARDS, list(settings.FILMROLL.shard_databases))
    shardmap.reload()
    migrate_shards()
    for shard in range(TEST_LOGICAL_SHARDS):
        for name in schema.tables():
            db.execute(shard, f"DELETE FROM {{{name}}}")
    tables.migrate()
    rebuild.rebuild()  # empty, like the shards


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _reset_install()
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
        _reset_install()


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:
    # Tests still go through Django's hashers, just a cheap one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Api:
    """A client of the v1 API, signed in as one user (or anonymous)."""

    client: Client
    token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, **self._headers())

    def post(self, path: str, data: dict | None = None, **kwargs: Any):
        return self.client.post(path, data or {}, **self._headers(), **kwargs)

    def post_json(self, path: str, data: Any):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.post(path, body, content_type="application/json", **self._headers())


@pytest.fixture
def anon() -> Api:
    return Api(Client())


def _persona(username: str) -> tuple[User, Api]:
    user = User.objects.create_user(
        username, f"{username}@example.com", PASSWORD, full_name=username.title()
    )
    return user, Api(Client(), tokens.issue(user))


@pytest.fixture
def alice() -> tuple[User, Api]:
    return _persona("alice")


@pytest.fixture
def bob() -> tuple[User, Api]:
    return _persona("bob")


def png_bytes(size: tuple[int, int] = (64, 48), exif_gps: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(
    size: tuple[int, int] = (1200, 900), orientation: int | None = None, gps: bool = False
) -> bytes:
    """A camera-like JPEG: baseline, textured, optionally with an EXIF orientation and GPS position."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 2, size[1] // 3), fill=(240, 200, 40))  # a marker, top-left
    draw.ellipse(
        (size[0] // 3, size[1] // 3, size[0] * 2 // 3, size[1] * 2 // 3), fill=(200, 40, 40)
    )
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def stored_keys() -> set[str]:
    """Every key in the configured photo storage."""
    from filmroll.files import storage

    backend = storage.backend()
    if isinstance(backend, storage.S3):
        pages = backend.client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}
    root = settings.MEDIA_ROOT
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def upload(api: Api, data: bytes, name: str = "photo.jpg", **fields: Any):
    file = io.BytesIO(data)
    file.name = name
    return api.post("/api/v1/media", {"image": file, **fields})


@contextlib.contextmanager
def s3_server(port: int) -> Iterator[str]:
    """A real S3 API server (moto's) on loopback; its endpoint URL."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.2),
            ):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the S3 test server did not start on port {port}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_bucket(url: str, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)


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


def make_user(username: str, private: bool = False) -> tuple[User, Api]:
    user = User.objects.create_user(
        username,
        f"{username}@example.com",
        PASSWORD,
        full_name=username.title(),
        is_private=private,
    )
    return user, Api(Client(), tokens.issue(user))


def run_tasks() -> int:
    """Run every queued background task, including those that tasks queue: the embedded queue
    here and now, or, with a broker, by waiting for the Celery worker to go idle."""
    from filmroll.tasks import worker

    if not settings.FILMROLL.broker_url:
        return worker.drain()
    _celery.wait_idle()
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


_celery = _CeleryWorker()


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
        _celery.start()  # before any test queues a task: starting purges what is queued
    yield
    _celery.stop()


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
