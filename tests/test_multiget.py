"""The object cache's multi-get (filmroll/multiget.py) against real memcached servers of the
test's own: the same answers as Django's pymemcache backend, every server asked before any
answer is read, and a server that is down handled as pymemcache handles it."""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Iterator

import pytest
from django.core.cache.backends.base import InvalidCacheKey
from django.core.cache.backends.memcached import PyMemcacheCache
from pymemcache.client.rendezvous import RendezvousHash

from filmroll.objcache import KeptPyMemcacheCache
from filmroll.settings import _crc32
from tests.support.servers import free_port, memcached_server


@pytest.fixture
def servers() -> Iterator[list[str]]:
    """Two memcached servers of the test's own: their addresses."""
    with memcached_server() as one, memcached_server() as two:
        yield [one, two]


def backend(locations: list[str], timeout: float = 1) -> KeptPyMemcacheCache:
    """The object cache as settings.py configures it for a cluster."""
    return KeptPyMemcacheCache(
        locations,
        {
            "OPTIONS": {
                "no_delay": True,
                "ignore_exc": True,
                "connect_timeout": 1,
                "timeout": timeout,
                "hasher": functools.partial(RendezvousHash, hash_function=_crc32),
            }
        },
    )


VALUES = {
    **{
        f"media:{n}": {"id": n, "caption": "ü" * (n % 7), "sizes": list(range(n % 50))}
        for n in range(300)
    },
    "bytes": b"raw\r\nEND\r\nVALUE x 0 1\r\n" * 2000,  # what the protocol says, inside a value
    "text": "words",
    "int": 5,
    "long": 10**30,
    "none": None,
    "empty": "",
}


def test_the_answers_are_djangos_own(servers):
    cache = backend(servers)
    cache.set_many(VALUES, 60)
    keys = [*VALUES, "missing:1", "missing:2"]
    djangos = PyMemcacheCache.get_many(cache, keys)
    assert cache.get_many(keys) == djangos == VALUES
    by_server = {c.server for c in cache._cache.clients.values() if c.sock is not None}
    assert len(by_server) == 2  # both servers hold some of them
    assert cache.get_many([]) == {}


def test_keys_django_refuses_are_still_refused(servers):
    cache = backend(servers)
    for bad in ["a b", "a\nb", "x" * 300]:
        with pytest.raises(InvalidCacheKey):
            cache.get_many(["fine", bad])


class Relay:
    """A TCP relay in front of a memcached server that holds each answer until `release` is set
    (or 3 s pass): `held` tells whether an answer had to wait for the timeout."""

    def __init__(self, target: str, release: threading.Event, asked: threading.Event) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.release, self.asked = release, asked
        self.timed_out = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.where = f"127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        upstream = socket.create_connection(self.target)
        while request := client.recv(65536):
            self.asked.set()
            upstream.sendall(request)
            answer = b""
            while not answer.endswith(b"END\r\n"):
                answer += upstream.recv(65536)
            if not self.release.wait(3):
                self.timed_out = True
            client.sendall(answer)


def test_every_server_is_asked_before_any_answer_is_read(servers):
    """Each relay holds its answer until the other server has been asked: asked one after the
    other, the first answer would wait for its timeout."""
    first_asked, second_asked = threading.Event(), threading.Event()
    relays = [
        Relay(servers[0], release=second_asked, asked=first_asked),
        Relay(servers[1], release=first_asked, asked=second_asked),
    ]
    cache = backend([r.where for r in relays], timeout=5)
    # each key stored on the server behind the relay it hashes to
    keys = [k for k in VALUES if k.startswith("media:")]
    placed = {}
    for key in keys:
        node = cache._cache.hasher.get_node(f":1:{key}")
        placed[key] = servers[[r.where for r in relays].index(node)]
    for where in servers:
        backend([where]).set_many({k: VALUES[k] for k in keys if placed[k] == where}, 60)
    assert len(set(placed.values())) == 2
    assert cache.get_many(keys) == {k: VALUES[k] for k in keys}
    assert not any(r.timed_out for r in relays)


def test_a_server_that_is_down_misses_its_keys_and_is_marked(servers):
    cache = backend(servers)
    cache.set_many(VALUES, 60)
    dead = f"127.0.0.1:{free_port()}"
    broken = backend([servers[0], dead])
    got = broken.get_many(list(VALUES))
    on_live = {
        k: v for k, v in VALUES.items() if broken._cache.hasher.get_node(f":1:{k}") == servers[0]
    }
    stored_there = PyMemcacheCache.get_many(backend([servers[0]]), list(on_live))
    assert got == stored_there
    assert broken._cache._failed_clients  # counted against the server, as HashClient counts
    assert broken.get_many(list(VALUES)) == stored_there  # and asked no more meanwhile


def test_values_read_again_are_not_unpickled_again_and_each_read_gets_its_own(servers):
    from filmroll import multiget
    from filmroll.accounts.models import User
    from filmroll.media.previews import Preview

    cache = backend(servers)
    user = User(id=7, username="alice", full_name="Alice", bio="hi")
    user._state.adding, user._state.db = False, "default"  # as a row loaded from the database
    entries = {
        "user:7": ("v1", user),
        "previews:1": ("v2", Preview(comments=((1, 7, "nice"),), likers=(7,))),
        "location:3": ("v3", {"id": "3", "name": "Place", "latitude": 1.5}),
        "liked:7:1": ("v4", True),
        "other": ["a", "list"],  # not an entry of the object cache's: never kept
    }
    cache.set_many(entries)
    multiget._decoded.clear()
    first = cache.get_many(list(entries))
    unpickled = []
    loads = multiget.pickle.loads
    multiget.pickle.loads = lambda data: unpickled.append(data) or loads(data)
    try:
        second = cache.get_many(list(entries))
    finally:
        multiget.pickle.loads = loads
    assert len(unpickled) == 1  # only "other"
    assert second == first == PyMemcacheCache.get_many(cache, list(entries))
    # what could be changed in place is each read's own
    assert second["user:7"][1] is not first["user:7"][1]
    assert second["user:7"][1]._state is not first["user:7"][1]._state
    first["user:7"][1].bio = "changed"
    first["location:3"][1]["name"] = "changed"
    third = cache.get_many(list(entries))
    assert third["user:7"][1].bio == "hi" and third["user:7"][1]._state.db == "default"
    assert third["user:7"][1]._state.adding is False
    assert third["location:3"][1]["name"] == "Place"
    assert third["previews:1"] is second["previews:1"]  # frozen: shared
    assert second["other"] is not first["other"]
