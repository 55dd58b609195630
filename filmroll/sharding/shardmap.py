"""Which physical database holds each logical shard.

The map lives in the global database and is fixed in size when the install is created. Each
process reads it once and keeps it; `reload()` drops the copy.
"""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.db import connections, transaction

from filmroll.sharding import ids
from filmroll.sharding.models import LogicalShard

_map: list[str] | None = None


class NotInitialised(Exception):
    pass


def reload() -> None:
    global _map
    _map = None


def _load() -> list[str]:
    global _map
    if _map is None:
        rows = list(LogicalShard.objects.order_by("number").values_list("number", "physical"))
        if not rows:
            raise NotInitialised("this install has no shard map yet: run `filmroll init` first")
        configured = set(settings.FILMROLL.shard_databases)
        missing = sorted({physical for _, physical in rows} - configured)
        if missing:
            raise NotInitialised(
                f"the shard map places shards on {', '.join(missing)}, which FILMROLL_SHARD_DATABASES"
                " does not name: add them to it"
            )
        _map = [physical for _, physical in rows]
    return _map


def logical_count() -> int:
    return len(_load())


class NoSuchShard(LookupError):
    """An ID names a logical shard this install does not have: no such object can exist."""


def physical_of(shard: int) -> str:
    """The Django database alias of the physical database holding logical `shard`."""
    placed = _load()
    if not 0 <= shard < len(placed):
        raise NoSuchShard(f"this install has no logical shard {shard}")
    return placed[shard]


def logical_on(physical: str) -> list[int]:
    return [n for n, p in enumerate(_load()) if p == physical]


def physicals() -> list[str]:
    """Physical databases that hold at least one logical shard, in map order."""
    return list(dict.fromkeys(_load()))


def ranges() -> list[tuple[str, int, int]]:
    """(physical, first, last) for each run of consecutive logical shards on one physical database."""
    result = []
    for physical, run in groupby(enumerate(_load()), key=lambda item: item[1]):
        numbers = [n for n, _ in run]
        result.append((physical, numbers[0], numbers[-1]))
    return result


def exists() -> bool:
    return LogicalShard.objects.exists()


def create(count: int, physicals: list[str]) -> None:
    """Spread `count` logical shards over `physicals` in contiguous, even ranges."""
    if not 1 <= count <= ids.MAX_SHARDS:
        raise ValueError(f"the number of logical shards must be 1 to {ids.MAX_SHARDS}, not {count}")
    if count < len(physicals):
        raise ValueError(f"{count} logical shards cannot cover {len(physicals)} physical databases")
    per, extra = divmod(count, len(physicals))
    rows, number = [], 0
    for index, physical in enumerate(physicals):
        for _ in range(per + (index < extra)):
            rows.append(LogicalShard(number=number, physical=physical))
            number += 1
    with transaction.atomic():
        LogicalShard.objects.bulk_create(rows)
    reload()


def next_signup_shard() -> int:
    """Logical shards in turn, so users (and so their data) spread evenly."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO sharding_counter (name, value) VALUES ('signup', 1) "
            "ON CONFLICT (name) DO UPDATE SET value = sharding_counter.value + 1 RETURNING value"
        )
        value = cursor.fetchone()[0]
    return (value - 1) % logical_count()
