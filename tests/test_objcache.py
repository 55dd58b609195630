"""The object cache's copies of entries kept in the process (objcache._kept), against a
memcached of the test's own: a warm read asks for the versions alone, a write is seen on the
very next read, nothing is kept longer than memcached keeps the entry, and each read has its
own copy of a row it could change."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from filmroll import objcache
from tests.support.servers import memcached_server, use_object_cache


@pytest.fixture
def memcached(settings) -> Iterator[None]:
    with memcached_server() as where:
        use_object_cache(settings, where)
        objcache._kept.clear()
        yield
        objcache._kept.clear()


def test_kept_rows_are_served_under_their_version_alone(memcached):
    rows = {1: {"name": "one"}, 2: {"name": "two"}}
    loads: list[list[int]] = []

    def load(keys: list[int]) -> dict[int, dict]:
        loads.append(keys)
        return {k: dict(rows[k]) for k in keys if k in rows}

    def read() -> dict[int, dict]:
        return objcache.get_many("place-test", [1, 2, 3], load)

    assert read() == rows and loads == [[1, 2, 3]]
    asked: list[str] = []
    get_many = cache.get_many
    cache.get_many = lambda keys, *a, **k: get_many(asked.extend(keys) or keys, *a, **k)
    try:
        first = read()
        assert first == rows and loads == [[1, 2, 3], [3]]  # 3 is missing: asked again
        assert sorted(asked) == [
            "place-test:3",
            "v:place-test:1",
            "v:place-test:2",
            "v:place-test:3",
        ]
        first[1]["name"] = "changed by a reader"  # its own copy
        assert read()[1] == {"name": "one"}
        rows[1] = {"name": "new"}
        objcache.invalidate("place-test", 1)  # a write: a new version
        asked.clear()
        assert read()[1] == {"name": "new"}
        assert "place-test:1" in asked  # the entry, asked for again once its version changed
    finally:
        del cache.get_many


def test_a_kept_row_is_not_served_longer_than_memcached_keeps_its_entry(memcached):
    rows = {1: "first"}

    def read() -> dict[int, str]:
        return objcache.get_many("short-test", [1], lambda keys: {1: rows[1]}, most_seconds=1)

    assert read() == {1: "first"}
    rows[1] = "changed outside the write paths"  # no invalidation
    assert read() == {1: "first"}
    time.sleep(2.1)  # memcached dropped the entry; the process's copy ends with it
    assert read() == {1: "changed outside the write paths"}
