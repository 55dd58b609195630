"""The unread count of every signed-in page, read through the object cache in a cluster: a warm
page with nothing new asks memcached alone (no database), and the count is the database's right
after each write to the person's activity or seen marker, in this process and in another."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from filmroll import objcache
from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.activity import personal as activity_personal
from filmroll.feeds import activity
from filmroll.graph import relationships
from filmroll.sharding import personal
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import memcached_server, use_object_cache
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@pytest.fixture
def memcached(settings) -> Iterator[None]:
    """A memcached of the test's own as the object cache (as tests/test_objcache.py)."""
    with memcached_server() as where:
        use_object_cache(settings, where)
        objcache._kept.clear()
        yield
        objcache._kept.clear()


def _count(user: User) -> int:
    """The count twice: in this process (its kept copy), then as another process reads it."""
    here = activity.unread(user.id)
    kept = dict(objcache._kept)
    objcache._kept.clear()
    elsewhere = activity.unread(user.id)
    objcache._kept.update(kept)
    assert here == elsewhere
    return here


def _read_all(user: User) -> None:
    items, _ = activity.assemble(user.id, None, 50)
    activity.mark_seen(user.id, items)


@pytest.fixture
def people(memcached):
    return [make_user(name) for name in ("ana", "bo", "cy")]


def test_a_warm_page_with_nothing_new_asks_no_database(people):
    (ana, _), (bo, _), _ = people
    events.record(ana.id, "follow", bo.id)
    _read_all(ana)
    assert _count(ana) == 0
    asked: list = []
    get_many = cache.get_many
    cache.get_many = lambda keys, *a, **k: get_many(asked.append(list(keys)) or keys, *a, **k)
    try:
        with ExitStack() as stack:  # the global database and every shard's
            queries = [stack.enter_context(CaptureQueriesContext(c)) for c in connections.all()]
            assert activity.unread(ana.id) == 0
    finally:
        del cache.get_many
    assert asked == [[f"v:{events.MARKS}:{ana.id}"]]
    assert [q.captured_queries for q in queries] == [[] for _ in queries]


def test_record(people):
    (ana, _), (bo, _), (cy, _) = people
    _read_all(ana)
    assert _count(ana) == 0
    events.record(ana.id, "follow", bo.id)
    assert _count(ana) == 1
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 2


def test_mark_seen(people):
    (ana, _), (bo, _), (cy, _) = people
    events.record(ana.id, "follow", bo.id)
    assert _count(ana) == 1
    _read_all(ana)
    assert _count(ana) == 0
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 1
    _read_all(ana)
    assert _count(ana) == 0


def test_forget(people):
    (ana, _), (bo, _), (cy, _) = people
    events.record(ana.id, "follow", bo.id)
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 2
    events.forget(ana.id, "follow", cy.id)
    assert _count(ana) == 1
    events.forget(ana.id, "follow", bo.id)
    assert _count(ana) == 0


def test_forget_between_a_block(people):
    (ana, _), (bo, _), (cy, _) = people
    events.record(ana.id, "follow", bo.id)
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 2
    events.forget_between(ana.id, bo.id)
    assert _count(ana) == 1
    relationships.block(ana, cy)
    assert _count(ana) == 0


def test_forget_comment_and_forget_media(people):
    (ana, ana_api), (bo, _), (cy, _) = people
    media = int(upload(ana_api, jpeg_bytes()).json()["data"]["id"])
    events.record(ana.id, "comment", bo.id, media, "nice")
    events.record(ana.id, "like", cy.id, media)
    assert _count(ana) == 2
    events.forget_comment([ana.id], bo.id, media, "nice")
    assert _count(ana) == 1
    events.forget_media([ana.id], media)
    assert _count(ana) == 0


def test_the_purge_of_someone_whose_events_others_hold(people):
    (ana, _), (bo, _), (cy, _) = people
    events.record(ana.id, "follow", bo.id)
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 2
    naming = [d for d in activity_personal.PERSONAL if isinstance(d, personal.Naming)]
    for d in naming:
        personal.purge_naming(bo.id, d)
    assert _count(ana) == 1


def test_a_deletion_below_the_marker_leaves_nothing_unread(people):
    """The cached pair answers 0 only when nothing is newer than the marker: deleting events
    cannot make that wrong, and a new one after them is counted."""
    (ana, _), (bo, _), (cy, _) = people
    events.record(ana.id, "follow", bo.id)
    _read_all(ana)
    events.forget(ana.id, "follow", bo.id)
    assert _count(ana) == 0
    events.record(ana.id, "follow", cy.id)
    assert _count(ana) == 1


def test_the_home_page_reads_its_unread_count_in_the_feeds_multi_get(people):
    (ana, _), (bo, bo_api), (cy, _) = people
    relationships.follow(ana, bo)
    assert upload(bo_api, jpeg_bytes(), caption="seen on the home page").status_code in (200, 201)
    run_tasks()
    events.record(ana.id, "follow", cy.id)
    web = Client()
    web.force_login(ana)
    assert web.get("/").status_code == 200  # warm
    asked: list = []
    get_many = cache.get_many
    cache.get_many = lambda keys, *a, **k: get_many(asked.append(list(keys)) or keys, *a, **k)
    try:
        page = web.get("/")
    finally:
        del cache.get_many
    assert page.status_code == 200 and len(page.context["items"]) == 1
    assert 'aria-label="1 unread"' in page.content.decode()  # the database's count
    marks = f"v:{events.MARKS}:{ana.id}"
    assert [marks in keys for keys in asked] == [True]  # one multi-get, the feed's
    _read_all(ana)
    assert "unread" not in web.get("/").content.decode().split("</header>")[0]
