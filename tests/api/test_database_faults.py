"""A database that cannot take writes: its files read-only on the embedded default, every
transaction read-only on PostgreSQL (what a hot standby or a demoted primary answers). A write
answers 503 APIStorageError with Retry-After, not 500; nothing is half-saved; the same request
succeeds once the database is back."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import close_old_connections, connections

from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@contextmanager
def read_only(shared_memory: bool = True) -> Iterator[None]:
    """Every database of this process refuses writes until the block ends. `shared_memory`:
    SQLite's -shm files too (a connection opened while its -shm file is immutable dies of
    SIGBUS, so a test that opens connections during the fault leaves them, as the soak does)."""
    primaries = [c for c in connections.all() if not c.alias.endswith("_replica")]
    suffixes = ("", "-wal", "-shm") if shared_memory else ("", "-wal")
    files = [
        Path(f"{c.settings_dict['NAME']}{suffix}")
        for c in primaries if c.vendor == "sqlite" for suffix in suffixes
    ]  # fmt: skip
    files = [f for f in files if f.exists()]
    servers = [c for c in primaries if c.vendor == "postgresql"]
    for connection in servers:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    if files:
        subprocess.run(["chattr", "+i", *map(str, files)], check=True)
    try:
        yield
    finally:
        if files:
            subprocess.run(["chattr", "-i", *map(str, files)], check=True)
        for connection in servers:
            with connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")


def refused(answer) -> bool:
    meta = answer.json()["meta"]
    return (
        answer.status_code == 503
        and meta["error_type"] == "APIStorageError"
        and int(answer["Retry-After"]) > 0
    )


def test_writes_to_a_database_that_cannot_take_them_answer_503_and_work_once_it_is_back():
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    photo = upload(ana_api, jpeg_bytes()).json()["data"]
    with read_only():
        follow = bo_api.post(f"/api/v1/users/{ana.id}/relationship", {"action": "follow"})
        like = bo_api.post(f"/api/v1/media/{photo['id']}/likes")
        comment = bo_api.post(f"/api/v1/media/{photo['id']}/comments", {"text": "lovely"})
        post = upload(bo_api, jpeg_bytes())
        assert all(refused(a) for a in (follow, like, comment, post)), [
            (a.status_code, a.content[:200]) for a in (follow, like, comment, post)
        ]
        # reads go on while writes cannot
        assert ana_api.get(f"/api/v1/media/{photo['id']}").status_code == 200

    shown = bo_api.get(f"/api/v1/media/{photo['id']}").json()["data"]
    assert shown["likes"]["count"] == 0 and shown["comments"]["count"] == 0
    assert bo_api.get("/api/v1/users/self").json()["data"]["counts"] == {
        "media": 0, "follows": 0, "followed_by": 0,
    }  # fmt: skip

    assert (
        bo_api.post(f"/api/v1/users/{ana.id}/relationship", {"action": "follow"}).status_code == 200
    )
    assert bo_api.post(f"/api/v1/media/{photo['id']}/likes").status_code == 200
    assert (
        bo_api.post(f"/api/v1/media/{photo['id']}/comments", {"text": "lovely"}).status_code == 200
    )
    assert upload(bo_api, jpeg_bytes()).status_code == 201
    shown = bo_api.get(f"/api/v1/media/{photo['id']}").json()["data"]
    assert shown["likes"]["count"] == 1 and shown["comments"]["count"] == 1
    assert shown["user_has_liked"] is True
    assert bo_api.get("/api/v1/users/self").json()["data"]["counts"] == {
        "media": 1, "follows": 1, "followed_by": 0,
    }  # fmt: skip


def test_a_feed_redis_that_is_unreachable_answers_503_not_500(settings):
    """During a Redis fail-over the feed's primary answers nothing for a few seconds: the read
    says to try again (503, Retry-After), as a database that is down does, not "something went
    wrong"."""
    import dataclasses

    from filmroll.feeds.store import store
    from tests.support.servers import free_port

    ana, ana_api = make_user("ana")
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=(f"redis://127.0.0.1:{free_port()}/0",)
    )
    store.cache_clear()
    try:
        answer = ana_api.get("/api/v1/users/self/feed")
    finally:
        store.cache_clear()
    assert refused(answer), answer.content


def test_a_connection_opened_while_the_files_were_read_only_writes_once_they_are_back():
    """SQLite opens a file it cannot write (immutable, a read-only mount) read-only without a
    word. A connection opened during the fault must not be kept past it: the soak saw writes
    answered 503 for half a minute after the files were writable again (CONN_MAX_AGE)."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("SQLite's silent read-only open; a PostgreSQL session is set read-write above")
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    photo = upload(ana_api, jpeg_bytes()).json()["data"]
    with read_only(shared_memory=False):
        for connection in connections.all(initialized_only=True):
            connection.close()  # the next request opens them again, during the fault
        assert ana_api.get(f"/api/v1/media/{photo['id']}").status_code == 200
        assert refused(bo_api.post(f"/api/v1/media/{photo['id']}/likes"))
        close_old_connections()  # what the request handler does after each request (the test
        # client leaves it out): a connection that is not usable is closed, one that is, kept
    liked = bo_api.post(f"/api/v1/media/{photo['id']}/likes")
    assert liked.status_code == 200, liked.content[:300]
    followed = bo_api.post(f"/api/v1/users/{ana.id}/relationship", {"action": "follow"})
    assert followed.status_code == 200, followed.content[:300]
