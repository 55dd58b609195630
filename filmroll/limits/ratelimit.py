"""Rate limits: a sliding window of one hour over counts kept per key and hour.

The window is the usual two-bucket approximation: this hour's count plus last hour's count
weighted by how much of last hour still lies inside the window. It needs two numbers per key,
where an exact log would keep one entry per request. Counts live in Redis (FILMROLL_SESSION_REDIS)
in a cluster and in the global database in the embedded default, so every app server and worker
process sees the same counts.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from redis.exceptions import RedisError

from filmroll.limits.models import RateCount
from filmroll.once import once

WINDOW = 3600
log = logging.getLogger(__name__)
PREFIX = "rl:"


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int
    allowed: bool
    retry_after: int  # seconds until a request is allowed again (0 when allowed)


def hit(rules: list[tuple[str, int]], now: float | None = None) -> list[Verdict]:
    """Count one request against each (key, limit); the verdict for each, in order."""
    return _judge(rules, now, count=True)


def peek(rules: list[tuple[str, int]], now: float | None = None) -> list[Verdict]:
    """The verdicts `hit` would give without counting (to check before an attempt that only
    counts when it fails)."""
    return _judge(rules, now, count=False)


def _judge(rules: list[tuple[str, int]], now: float | None, count: bool) -> list[Verdict]:
    now = time.time() if now is None else now
    slot = int(now // WINDOW)
    into = (now % WINDOW) / WINDOW
    counts = _redis_counts if settings.FILMROLL.session_redis else _sql_counts
    try:
        found = counts([key for key, _ in rules], slot, count)
    except (RedisError, DatabaseError) as error:
        # The counts' store is down: let requests through rather than refuse every one of them
        # (the health checks and the metrics report the store as down).
        log.warning("rate limits not counted, their store failed: %s", error)
        return [Verdict(limit, limit, True, 0) for _, limit in rules]
    verdicts = []
    for (_, limit), (current, previous) in zip(rules, found, strict=True):
        used = current + previous * (1 - into)
        # With `count`, this request is already in `current`; a peek asks about the next one.
        allowed = used <= limit if count else used + 1 <= limit
        retry = 0 if allowed else _seconds_until_under(limit, current, previous, into)
        verdicts.append(Verdict(limit, max(0, math.floor(limit - used)), allowed, retry))
    return verdicts


def _seconds_until_under(limit: int, current: int, previous: int, into: float) -> int:
    """When one more request will be allowed, if none is made meanwhile: last hour's share
    shrinks as the window slides; past the hour, this hour's count becomes last hour's."""
    room = limit - 1  # what the counts may add up to beside the next request
    if previous and current <= room:
        fraction = 1 - (room - current) / previous  # how far into the hour that happens
        return max(1, math.ceil((fraction - into) * WINDOW))
    left = (1 - into) * WINDOW
    if current == 0:
        return max(1, math.ceil(left))
    return max(1, math.ceil(left + max(0.0, 1 - room / current) * WINDOW))


def _key(key: str, slot: int) -> str:
    return f"{PREFIX}{key}:{slot}"


@once
def _redis():
    from filmroll import redisconn

    return redisconn.client(
        settings.FILMROLL.session_redis, socket_timeout=2, socket_connect_timeout=2
    )


def _redis_counts(keys: list[str], slot: int, count: bool) -> list[tuple[int, int]]:
    pipe = _redis().pipeline(transaction=False)
    for key in keys:
        if count:
            pipe.incr(_key(key, slot))
            pipe.expire(_key(key, slot), 2 * WINDOW)
        else:
            pipe.get(_key(key, slot))
        pipe.get(_key(key, slot - 1))
    replies = pipe.execute()
    step = 3 if count else 2
    return [
        (int(replies[i] or 0), int(replies[i + step - 1] or 0))
        for i in range(0, len(replies), step)
    ]


def _sql_counts(keys: list[str], slot: int, count: bool) -> list[tuple[int, int]]:
    table = RateCount._meta.db_table
    found: dict[tuple[str, int], int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if count:
            for key in keys:
                cursor.execute(
                    f"INSERT INTO {table} (key, slot, count) VALUES (%s, %s, 1)"
                    f" ON CONFLICT (key, slot) DO UPDATE SET count = {table}.count + 1",
                    [key, slot],
                )
        for key, at, n in RateCount.objects.filter(
            key__in=keys, slot__in=(slot, slot - 1)
        ).values_list("key", "slot", "count"):
            found[key, at] = n
    return [(found.get((k, slot), 0), found.get((k, slot - 1), 0)) for k in keys]


def sweep(now: float | None = None) -> int:
    """Drop counts older than the window needs; how many rows went."""
    slot = int((time.time() if now is None else now) // WINDOW)
    deleted, _ = RateCount.objects.filter(slot__lt=slot - 1).delete()
    return deleted


def reset(database: bool = True) -> None:
    """Forget every count (for tests and for an operator lifting a block); `database=False`
    leaves the database's counts alone (tests roll those back themselves)."""
    if database:
        RateCount.objects.all().delete()
    if settings.FILMROLL.session_redis:
        client = _redis()
        for batch in _batches(client.scan_iter(match=f"{PREFIX}*", count=1000), 1000):
            client.delete(*batch)


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
