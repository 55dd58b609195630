"""Rate limits: a sliding window of one hour over counts kept per key and hour.

The window is the usual two-bucket approximation: this hour's count plus last hour's count
weighted by how much of last hour still lies inside the window. It needs two numbers per key,
where an exact log would keep one entry per request. Counts live in Redis (FILMROLL_SESSION_REDIS)
in a cluster and in the global database in the embedded default, so every app server and worker
process sees the same counts.

Counting is atomic in both stores: each request's increment returns the count it made (Redis
INCR; SQL's upsert ... RETURNING), and the verdict is judged on that number, so parallel requests
never all see the same room left.
"""

from __future__ import annotations

import hashlib
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
LONGEST = 86400  # the longest window a rule may count over (its counts are kept twice as long)
log = logging.getLogger(__name__)
PREFIX = "rl:"


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int
    allowed: bool
    retry_after: int  # seconds until a request is allowed again (0 when allowed)


def hit(
    rules: list[tuple[str, int]], now: float | None = None, amount: int = 1, window: int = WINDOW
) -> list[Verdict]:
    """Count one request (or `amount` things, e.g. hashes looked up) against each (key, limit);
    the verdict for each, in order. `window` is a whole number of hours up to LONGEST (a day's
    budget: 86400); a key is always counted with the same window."""
    return _judge(rules, now, count=True, amount=amount, window=window)


def peek(
    rules: list[tuple[str, int]], now: float | None = None, amount: int = 1, window: int = WINDOW
) -> list[Verdict]:
    """The verdicts `hit` would give without counting (to check before an attempt that only
    counts when it fails, or whether `amount` more would still fit)."""
    return _judge(rules, now, count=False, amount=amount, window=window)


def undo(keys: list[str], now: float) -> None:
    """Take back one count from each key in the hour of `now` (the `now` the hit was made with):
    a request that was counted first and turned out not to count (a log-in that succeeded)."""
    slot = int(now // WINDOW)
    try:
        if settings.FILMROLL.session_redis:
            pipe = _redis().pipeline(transaction=False)
            for key in keys:
                pipe.decr(_key(_stored(key), slot))
            pipe.execute()
        else:
            table = RateCount._meta.db_table
            with transaction.atomic(), connection.cursor() as cursor:
                for key in keys:
                    cursor.execute(
                        f"UPDATE {table} SET count = count - 1"
                        " WHERE key = %s AND slot = %s AND count > 0",
                        [_stored(key), slot],
                    )
    except (RedisError, DatabaseError) as error:
        log.warning("rate limit counts not taken back, their store failed: %s", error)


def _stored(key: str) -> str:
    """The key as stored: one that could overflow the column (an address or a name somebody
    typed) is hashed, so no input makes the count fail and the limit let it through."""
    if len(key) <= 100:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()


def _judge(
    rules: list[tuple[str, int]], now: float | None, count: bool, amount: int = 1,
    window: int = WINDOW,
) -> list[Verdict]:  # fmt: skip
    if window % WINDOW or not WINDOW <= window <= LONGEST:
        raise ValueError(f"a rate limit's window is whole hours up to a day, not {window} s")
    now = time.time() if now is None else now
    # Slots count in hours whatever the window (a day's slot is the hour it starts), so that
    # `sweep` can tell old counts by one number; the previous slot is a window back.
    hours = window // WINDOW
    slot = int(now // window) * hours
    into = (now % window) / window
    counts = _redis_counts if settings.FILMROLL.session_redis else _sql_counts
    try:
        found = counts([_stored(key) for key, _ in rules], slot, count, amount, hours)
    except (RedisError, DatabaseError) as error:
        # The counts' store is down: let requests through rather than refuse every one of them
        # (the health checks and the metrics report the store as down).
        log.warning("rate limits not counted, their store failed: %s", error)
        return [Verdict(limit, limit, True, 0) for _, limit in rules]
    verdicts = []
    for (_, limit), (current, previous) in zip(rules, found, strict=True):
        used = current + previous * (1 - into)
        # With `count`, this request is already in `current`; a peek asks about the next one.
        allowed = used <= limit if count else used + amount <= limit
        retry = 0 if allowed else _seconds_until_under(limit, current, previous, into, window)
        verdicts.append(Verdict(limit, max(0, math.floor(limit - used)), allowed, retry))
    return verdicts


def _seconds_until_under(
    limit: int, current: int, previous: int, into: float, window: int = WINDOW
) -> int:
    """When one more request will be allowed, if none is made meanwhile: last hour's share
    shrinks as the window slides; past the hour, this hour's count becomes last hour's."""
    room = limit - 1  # what the counts may add up to beside the next request
    if previous and current <= room:
        fraction = 1 - (room - current) / previous  # how far into the hour that happens
        return max(1, math.ceil((fraction - into) * window))
    left = (1 - into) * window
    if current == 0:
        return max(1, math.ceil(left))
    return max(1, math.ceil(left + max(0.0, 1 - room / current) * window))


def _key(key: str, slot: int) -> str:
    return f"{PREFIX}{key}:{slot}"


@once
def _redis():
    from filmroll import redisconn

    return redisconn.client(
        settings.FILMROLL.session_redis, socket_timeout=2, socket_connect_timeout=2
    )


# One call for every key of a request: each key's count this slot (counted first, with `count`)
# and the slot before, as the pipeline of INCRBY, EXPIRE and GET per key did, in one command
# whose reply is short to parse (redis-py's pipeline took ~0.1 ms of CPU a request).
# KEYS: per key, this slot's and the previous slot's; ARGV: count (1/0), amount, seconds kept.
COUNTS = """
local out = {}
for i = 1, #KEYS, 2 do
  local now
  if ARGV[1] == '1' then
    now = redis.call('INCRBY', KEYS[i], ARGV[2])
    redis.call('EXPIRE', KEYS[i], ARGV[3])
  else
    now = tonumber(redis.call('GET', KEYS[i]) or 0)
  end
  out[#out + 1] = now
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 1]) or 0)
end
return out
"""


@once
def _counts_script():
    return _redis().register_script(COUNTS)


def _redis_counts(
    keys: list[str], slot: int, count: bool, amount: int = 1, hours: int = 1
) -> list[tuple[int, int]]:
    names = [name for key in keys for name in (_key(key, slot), _key(key, slot - hours))]
    replies = _counts_script()(names, [1 if count else 0, amount, 2 * hours * WINDOW], _redis())
    return [(int(replies[i]), int(replies[i + 1])) for i in range(0, len(replies), 2)]


def _sql_counts(
    keys: list[str], slot: int, count: bool, amount: int = 1, hours: int = 1
) -> list[tuple[int, int]]:
    table = RateCount._meta.db_table
    found: dict[tuple[str, int], int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if count:
            for key in keys:
                # The count this request made, whatever others commit meanwhile.
                cursor.execute(
                    f"INSERT INTO {table} (key, slot, count) VALUES (%s, %s, %s)"
                    f" ON CONFLICT (key, slot) DO UPDATE SET count = {table}.count + %s"
                    " RETURNING count",
                    [key, slot, amount, amount],
                )
                found[key, slot] = cursor.fetchone()[0]
        slots = (slot - hours,) if count else (slot, slot - hours)
        for key, at, n in RateCount.objects.filter(key__in=keys, slot__in=slots).values_list(
            "key", "slot", "count"
        ):
            found[key, at] = n
    return [(found.get((k, slot), 0), found.get((k, slot - hours), 0)) for k in keys]


def sweep(now: float | None = None) -> int:
    """Drop counts older than the longest window needs; how many rows went."""
    slot = int((time.time() if now is None else now) // WINDOW)
    deleted, _ = RateCount.objects.filter(slot__lt=slot - 2 * LONGEST // WINDOW + 1).delete()
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


def forget(keys: list[str], now: float | None = None) -> None:
    """Drop the counts of these keys in the window (an account that is gone)."""
    slot = int((time.time() if now is None else now) // WINDOW)
    if settings.FILMROLL.session_redis:
        _redis().delete(*(_key(key, s) for key in keys for s in (slot, slot - 1)))
    RateCount.objects.filter(key__in=[_stored(key) for key in keys]).delete()
