"""The object cache: rows by ID from memcached in a cluster, one multi-get, then the misses from
their loader at once. Every write path invalidates what it changed, after it commits; no row is
served stale after that (versions below). The embedded default keeps no rows: see get_many."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.memcached import PyMemcacheCache
from django.db import connections, transaction

from filmroll import multiget
from filmroll.observe import metrics
from filmroll.sharding import replicas


class KeptPyMemcacheCache(PyMemcacheCache):
    """Django's pymemcache backend, keeping its connections between requests. Django closes
    them when each request ends, so every request paid a TCP connect per memcached server;
    each thread has its own client (Django's caches are per thread), so keeping them is safe."""

    def close(self, **kwargs: Any) -> None:
        pass

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        """Every server asked at once, at a few microseconds a key (filmroll/multiget.py)."""
        keys = list(keys)
        if version is not None:
            return super().get_many(keys, version=version)
        return multiget.get_many(
            self, keys, lambda: super(KeptPyMemcacheCache, self).get_many(keys)
        )


DAY = 24 * 3600


@dataclass(frozen=True)
class Batch:
    """Rows of one kind to fetch: their keys and the loader of the misses."""

    kind: str
    keys: Iterable[int]
    load: Callable[[list[int]], dict[int, Any]]
    most_seconds: int = DAY
    # the kind whose versions this one's entries are checked against: rows that every write
    # changes together share one version (a photo and its preview), one key fewer to ask each
    versioned_as: str | None = None

    @property
    def versions(self) -> str:
        return self.versioned_as or self.kind


ABSENT = object()  # what `remembering` keeps for a key its loader did not find
# (kind, key) -> (version or None, row or ABSENT), while a read request remembers its rows
_memo: ContextVar[dict[tuple[str, int], tuple[str | None, Any]] | None] = ContextVar(
    "objcache_memo", default=None
)


# Batches the block's next multi-get fetches too, for a later part of the request
_along: ContextVar[list[Batch] | None] = ContextVar("objcache_along", default=None)


@contextmanager
def remembering(*along: Batch) -> Iterator[None]:
    """Inside the block (one read request), a row fetched once is not asked for again: the
    read path's parts (visibility, the media objects' presenters) share what one multi-get
    brought. A write's `invalidate` drops its row from the block's memory too. `along`: rows
    a later part of the request will want (a page header's unread count), fetched with the
    block's first multi-get so that they cost no round trip of their own."""
    token = _memo.set({})
    later = _along.set(list(along)) if along else None
    try:
        yield
    finally:
        if later is not None:
            _along.reset(later)
        _memo.reset(token)


# Keys a request asks for along with its first multi-get, and what that brought for each: a
# kept token's check (accounts/tokens.confirmed) costs no round trip of its own.
_riders: ContextVar[tuple[list[str], dict[str, Any]] | None] = ContextVar(
    "objcache_riders", default=None
)


@contextmanager
def riding() -> Iterator[dict[str, Any]]:
    """Inside the block, keys given to `ride` go with the next multi-get; the dict yielded
    holds their answers (None for a miss) once one has been made."""
    answers: dict[str, Any] = {}
    token = _riders.set(([], answers))
    try:
        yield answers
    finally:
        _riders.reset(token)


def ride(key: str) -> None:
    """Ask for `key` with the next multi-get inside `riding` (memcached, as it is stored)."""
    riders = _riders.get()
    if riders is not None:
        riders[0].append(key)


def remembers() -> bool:
    """Whether this is inside `remembering`."""
    return _memo.get() is not None


def version(kind: str, key: int) -> str | None:
    """The version a row was read at inside `remembering`, None outside it or when the install
    keeps no versions (the embedded default): what keys anything derived from the row."""
    memo = _memo.get()
    found = memo.get((kind, key)) if memo is not None else None
    return found[0] if found is not None else None


def get_many(
    kind: str,
    keys: Iterable[int],
    load: Callable[[list[int]], dict[int, Any]],
    most_seconds: int = DAY,
) -> dict[int, Any]:
    """Rows by key: cached ones whose version is current, the rest from `load` at once.

    Each key has a version in memcached, a random token that every write replaces
    (`invalidate`). An entry is stored with the version read before its row was loaded and is
    served only while that version is current, so a reader that loaded a row just before a
    write can never put the old row back after the write's invalidation. Entries and versions
    come in the same multi-get: one round trip, as before (the versions alone for entries this
    process keeps: `_kept`).
    """
    return fetch(Batch(kind, keys, load, most_seconds))[0]


def fetch(*batches: Batch) -> list[dict[int, Any]]:
    """`get_many` for several kinds at once: every entry and version in one multi-get, then
    each kind's misses from its loader. The rows of each batch, in order."""
    memo = _memo.get()
    given = len(batches)
    if (along := _along.get()) and memo is not None:
        batches = (*batches, *along)
        del along[:]
    wanted = [(b, list(dict.fromkeys(b.keys))) for b in batches]
    results: list[dict[int, Any]] = []
    asked: list[tuple[Batch, list[int]]] = []  # what the memo did not have
    for batch, keys in wanted:
        known = {k: memo[(batch.kind, k)] for k in keys if (batch.kind, k) in memo} if memo else {}
        results.append({k: row for k, (_, row) in known.items() if row is not ABSENT})
        asked.append((batch, [k for k in keys if k not in known]))
    if not settings.FILMROLL.cache_servers:
        # The embedded default has no memory shared by its processes, and a row kept in one
        # Gunicorn worker could not be told of a write made in another: read the (local) rows.
        for (batch, keys), found in zip(asked, results, strict=True):
            if keys:
                _count(batch.kind, "miss", len(keys))
                loaded = batch.load(keys)
                found.update(loaded)
                _remember(memo, batch.kind, keys, {}, loaded)
        return results[:given]
    # Every version; the entries of rows this process does not keep (_kept), and then those
    # it keeps under an older version. A warm read asks the versions alone.
    now = time.monotonic()
    plans = [_plan(batch, keys, now) if keys else None for batch, keys in asked]
    names = [name for plan in plans if plan for name in plan.ask]
    if not names:
        return results[:given]
    riders = _riders.get()
    riding = riders[0][:] if riders else []
    got = cache.get_many(dict.fromkeys(names + riding))  # a version two kinds share, asked once
    if riders and riding:
        del riders[0][:]
        riders[1].update((key, got.pop(key, None)) for key in riding)
    later = [name for plan in plans if plan for name in plan.stale(got)]
    if later:
        got.update(cache.get_many(later))
    for plan, found in zip(plans, results, strict=True):
        if plan:
            found.update(_settle(plan, got, memo, now))
    return results[:given]


@dataclass
class _Plan:
    """One batch's keys, their version keys and what this process keeps of each (or None)."""

    batch: Batch
    keys: list[int]
    versions: list[str]
    kept: list[tuple | None]
    ask: list[str]

    def stale(self, got: dict[str, Any]) -> list[str]:
        """Entries kept under a version that is no longer the current one: to ask for."""
        kind = self.batch.kind
        return [
            f"{kind}:{key}"
            for key, name, kept in zip(self.keys, self.versions, self.kept, strict=True)
            if kept is not None and got.get(name) not in (None, kept[0])  # None: a miss anyway
        ]


def _plan(batch: Batch, keys: list[int], now: float) -> _Plan:
    kind = batch.kind
    versions = [f"v:{batch.versions}:{key}" for key in keys]
    kept = [_kept.get((kind, key)) for key in keys]  # .get: another thread may clear it
    kept = [k if k is not None and k[2] > now else None for k in kept]
    ask = [f"{kind}:{key}" for key, k in zip(keys, kept, strict=True) if k is None]
    return _Plan(batch, keys, versions, kept, ask + versions)


def _settle(plan: _Plan, got: dict[str, Any], memo: dict | None, now: float) -> dict[int, Any]:
    """One batch's rows from the multi-get's answer (or this process's copy of an entry under
    the current version), its misses loaded and stored."""
    batch, keys, kind = plan.batch, plan.keys, plan.batch.kind
    version = {key: got.get(name) for key, name in zip(keys, plan.versions, strict=True)}
    found: dict[int, Any] = {}
    for key, kept in zip(keys, plan.kept, strict=True):
        current = version[key]
        if current is None:
            continue
        if kept is not None and kept[0] == current:
            found[key] = kept[3](kept[1])
            continue
        entry = got.get(f"{kind}:{key}")
        if entry is not None and entry[0] == current:
            found[key] = _keep(kind, key, entry, batch.most_seconds, now)
    missing = [key for key in keys if key not in found]
    _count(kind, "hit", len(found))
    _count(kind, "miss", len(missing))
    if missing:
        version.update(_versions(batch.versions, [key for key in missing if version[key] is None]))
        # from primaries: a copy from a lagging replica would stay in the cache past the lag
        with replicas.primary():
            loaded = batch.load(missing)
        stored = time.time()
        entries = {k: (version[k], value, stored) for k, value in loaded.items() if version[k]}
        cache.set_many(
            {f"{kind}:{key}": entry for key, entry in entries.items()},
            min(DAY, batch.most_seconds),
        )
        for key, entry in entries.items():
            _keep(kind, key, entry, batch.most_seconds, now)
        found.update(loaded)
    _remember(memo, kind, keys, version, found)
    return found


# This process's copies of the entries it read or stored: (kind, key) -> (version, row,
# monotonic deadline, copier). Served while memcached's version is still theirs, so a warm read
# asks memcached for the versions alone. As exact as the entries: an entry is only served under
# its version, which every write replaces; and it is kept no longer than memcached keeps it
# (its time to live from when it was stored), so a change made outside filmroll's write paths
# shows no later than before. Each read gets its own copy of what could be changed in place.
KEPT = 20_000
_kept: dict[tuple[str, int], tuple[str, Any, float, Callable[[Any], Any]]] = {}


def _keep(kind: str, key: int, entry: tuple, most_seconds: int, now: float) -> Any:
    """The entry's row, a copy of it kept in `_kept` when it can be copied and has time left
    (entries stored without their time, before this, are not kept)."""
    row = entry[1]
    copier = multiget.copier(row)
    left = min(DAY, most_seconds) - (time.time() - entry[2]) if len(entry) > 2 else 0
    if copier is not None and left > 0:
        if len(_kept) >= KEPT:
            _kept.clear()
        _kept[(kind, key)] = (entry[0], copier(row), now + left, copier)
    return row


def _count(kind: str, result: str, n: int) -> None:
    """Lookups counted per kind of row: a viewer's flags (`liked:ID`) count as `liked`, one
    series for all viewers (a series per viewer would grow the metrics without end)."""
    if n:
        metrics.child(metrics.CACHE, kind.partition(":")[0], result).inc(n)


def _remember(
    memo: dict | None, kind: str, keys: list[int], version: dict[int, Any], found: dict[int, Any]
) -> None:
    if memo is not None:
        for key in keys:
            memo[(kind, key)] = (version.get(key), found.get(key, ABSENT))


def _versions(kind: str, keys: list[int]) -> dict[int, str]:
    """Current versions of keys that had none (new, expired or evicted): a fresh random token
    each, unless another process set one first. A fresh token matches no stored entry."""
    if not keys:
        return {}
    for key in keys:
        cache.add(f"v:{kind}:{key}", secrets.token_hex(8), 2 * DAY)
    got = cache.get_many([f"v:{kind}:{key}" for key in keys])
    return {key: got[f"v:{kind}:{key}"] for key in keys if f"v:{kind}:{key}" in got}


def invalidate(kind: str, key: int, *sharing: str) -> None:
    """After a write to the row: every cached copy of it is stale from now on, and of the rows
    of the kinds `sharing` its version (Batch.versioned_as). A write still inside a transaction
    is not visible yet, and a reader could load the old row under the new version meanwhile: the
    version is replaced again once each open transaction commits."""
    memo = _memo.get()
    if memo is not None:
        for each in (kind, *sharing):
            memo.pop((each, key), None)
    if not settings.FILMROLL.cache_servers:
        return

    def replace() -> None:
        cache.set(f"v:{kind}:{key}", secrets.token_hex(8), 2 * DAY)

    replace()
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            transaction.on_commit(replace, using=connection.alias)
