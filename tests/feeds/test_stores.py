"""The Redis feed store on two real Redis instances, and the object cache and sessions of the
configured run."""

import importlib

import pytest
import redis
from django.conf import settings
from django.test import Client

from filmroll.feeds.store import RedisStore, SqlStore
from filmroll.media import cache
from filmroll.sharding import db, ids
from tests.support.images import jpeg_bytes, upload
from tests.support.locks import machine_lock

URLS = ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6380/3")


@pytest.fixture
def redis_store():
    # Every test run on this machine uses these two databases (both of `make test`'s runs at once)
    with machine_lock("redis-db-3"):
        for url in URLS:
            redis.Redis.from_url(url).flushdb()
        yield RedisStore(URLS)
        for url in URLS:
            redis.Redis.from_url(url).flushdb()


def make_ids(count: int, shard: int = 1) -> list[int]:
    return [ids.make_id(ids.EPOCH_MS + 1000 + n, shard, n) for n in range(count)]


@pytest.mark.parametrize("kind", ["redis", "sql"])
def test_a_store_keeps_feeds_newest_first_once_and_capped(kind, redis_store, settings):
    import dataclasses

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, feed_cap=50)
    feeds = redis_store if kind == "redis" else SqlStore()
    users = [db.new_ids(n % 8)[0] for n in range(6)]
    posts = make_ids(60)
    assert feeds.add(users, posts[0]) == 0  # no feed exists yet: nothing is created
    assert feeds.read(users[0]) is None
    for user in users[:4]:
        feeds.replace(user, [])
    for media_id in reversed(posts[:30]):  # arriving out of order
        feeds.add(users, media_id)
    for media_id in posts[:30]:
        assert feeds.add(users[:4], media_id) == 0  # again: no copies
    for media_id in posts[30:]:
        feeds.add(users, media_id)
    expected = sorted(posts, reverse=True)[:50]
    for user in users[:4]:
        assert feeds.read(user) == expected
    assert feeds.read(users[5]) is None
    feeds.remove(users[0], expected[:3])
    assert feeds.read(users[0]) == expected[3:]
    feeds.remove_everywhere(users, expected[3])  # one post out of every feed at once
    assert feeds.read(users[0]) == expected[4:]
    assert feeds.read(users[2]) == [m for m in expected if m != expected[3]]
    feeds.drop(users[1])
    assert feeds.read(users[1]) is None


def test_reading_a_redis_feed_renews_its_time_to_live(redis_store):
    from filmroll.feeds.store import TTL

    user = db.new_ids(1)[0]
    redis_store.replace(user, make_ids(3))
    client, key = redis_store.clients[redis_store.node(user)], redis_store.key(user)
    client.expire(key, 10)
    assert redis_store.read(user) == sorted(make_ids(3), reverse=True)
    assert TTL - 5 <= client.ttl(key) <= TTL
    assert redis_store.read(db.new_ids(1)[0]) is None


def test_redis_feeds_spread_over_instances_and_cost_under_16_bytes_an_entry(redis_store, settings):
    users = [db.new_ids(n % 8)[0] for n in range(40)]
    for user in users:
        redis_store.replace(user, make_ids(1000))
    per_node = [redis.Redis.from_url(url).dbsize() for url in URLS]
    assert all(n > 5 for n in per_node) and sum(per_node) == 40
    client = redis.Redis.from_url(URLS[redis_store.node(users[0])])
    used = client.memory_usage(redis_store.key(users[0]))
    assert used / 1000 <= 16, f"{used / 1000:.1f} bytes per entry"


def test_a_write_invalidates_the_cached_media_row(alice, bob):
    _, alice_api = alice
    _, bob_api = bob
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    media_id = int(media["id"])
    assert cache.get_many([media_id])[media_id].likes == 0
    db.execute(
        ids.shard_of(media_id),
        "UPDATE {media} SET caption = 'changed behind the cache' WHERE id = %s",
        [media_id],
    )
    seen = cache.get_many([media_id])[media_id].caption
    if settings.FILMROLL.cache_servers:  # memcached serves the row until filmroll writes to it
        assert seen != "changed behind the cache"
    else:  # the embedded default keeps no rows in its processes: a read is the row as it is
        assert seen == "changed behind the cache"
    bob_api.post(f"/api/v1/media/{media_id}/likes")  # a write through filmroll
    fresh = cache.get_many([media_id])[media_id]
    assert fresh.likes == 1 and fresh.caption == "changed behind the cache"


def test_web_sessions_live_in_the_configured_store(alice):
    user, _ = alice
    browser = Client()
    browser.force_login(user)
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    engine = importlib.import_module(settings.SESSION_ENGINE)
    assert engine.SessionStore().exists(key)
    if settings.FILMROLL.session_redis:
        raw = redis.Redis.from_url(settings.FILMROLL.session_redis)
        assert any(key in k.decode() for k in raw.keys("*"))
