"""Personal data: what each package keeps about a person, declared once, so that deleting an
account (leaving/purge.py) and exporting one (leaving/export.py) find all of it.

Each package that keeps anything about people lists it in its own `personal.py`, a list
`PERSONAL` of the declarations below, and is listed in the setting `PERSONAL_DATA` (sharding
imports none of them, as with SHARD_SCHEMAS). Every shard table (`schema.tables()`) must be
declared, as personal data or as `NotPersonal`: tests/leaving/test_declarations.py fails
otherwise. A new table usually takes one line:

    Owned("mutes"),                                   # rows on the person's shard, by user_id
    Naming("mutes", "muted_id", key="user_id"),       # rows on others' shards naming the person

The purge runs, in this order, each kind's part; every part is idempotent and works in small
batches with short transactions, so a purge killed anywhere finishes when it runs again:

1. `Naming`: rows on other people's shards (found through the person's own mirror rows, or by
   scanning every shard), with the other side's counts corrected in the same transaction;
2. `Store`: anything else (files, feed stores, caches, the index, global tables), by a function
   of the person's ID that the package gives;
3. `Owned` and `OfMedia`: the rows on the person's own shard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings

from filmroll.sharding import db, ids, outbox, shardmap

BATCH = 500


@dataclass(frozen=True)
class Owned:
    """Rows on the person's own shard whose `column` is the person. `seen_media`: a column naming
    a photo, perhaps another person's (a save, a tag of the person): the export gives such a row
    only while the person may see that photo, so it never tells of one they may not."""

    table: str
    column: str = "user_id"
    seen_media: str | None = None


@dataclass(frozen=True)
class OfMedia:
    """Rows on the person's own shard keyed by one of the person's photos (`column`)."""

    table: str
    column: str = "media_id"


@dataclass(frozen=True)
class Naming:
    """Rows on other people's shards whose `column` names the person (or, with `of_media`, one of
    the person's photos). `key` is the column that places the row: it lives on
    `ids.shard_of(row[key])`.

    `via` = (own table, column): the person's own rows of that table (`user_id` = the person)
    list the keys, so only those shards are asked; without it every shard is scanned.
    `recount` = (table, key column, count column): a count that each deleted row is taken off,
    in the row's transaction (a follower's `follows`, a photo's `likes`)."""

    table: str
    column: str
    key: str
    via: tuple[str, str] | None = None
    recount: tuple[str, str, str] | None = None
    of_media: bool = False
    # called with the keys of the rows removed, after their transaction (caches to drop)
    touched: Callable[[list[int]], None] | None = None


@dataclass(frozen=True)
class Store:
    """Anything besides shard rows: `purge(user_id)` removes the person's part (idempotent; it may
    read the person's own shard rows, which are still there). `tables` names shard tables whose
    rows it takes care of, for the declarations check."""

    name: str
    purge: Callable[[int], None]
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotPersonal:
    """A shard table that holds nothing about people, and why."""

    table: str
    why: str


Declaration = Owned | OfMedia | Naming | Store | NotPersonal

# The sharding package's own table: tasks in flight name people only in their arguments, and
# each finds a deleted person gone.
PERSONAL = [NotPersonal("outbox", "tasks in flight, sent within seconds; none outlives a purge")]


def declarations() -> list[Declaration]:
    """Every package's declarations, in the order of PERSONAL_DATA."""
    return [d for module in settings.PERSONAL_DATA for d in import_module(module).PERSONAL]


def declared_tables() -> set[str]:
    """The shard tables some declaration covers."""
    found: set[str] = set()
    for d in declarations():
        found.update(d.tables if isinstance(d, Store) else (d.table,))
    return found


def media_ids(user_id: int) -> Iterator[list[int]]:
    """The person's photos, in batches, oldest first."""
    shard, after = ids.shard_of(user_id), None
    while True:
        rows = db.page(
            shard,
            "SELECT id FROM {media} WHERE user_id = %s",
            [user_id],
            db.Keyset("id", after, BATCH, newest_first=False),
        )
        if not rows:
            return
        yield [row[0] for row in rows]
        after = rows[-1][0]


def by_database(keys: list[int]) -> list[tuple[int, list[int]]]:
    """IDs grouped for one statement each, with the shard to run it on: per logical shard on
    PostgreSQL (a schema each), all of a SQLite database's at once (its logical shards share one
    set of tables), so a batch of 500 people spread over 256 shards is one statement there."""
    groups: list[tuple[int, list[int]]] = []
    for alias, shards in db.by_physical(keys).items():
        if db.is_postgres(alias):
            groups += list(shards.items())
        else:
            groups.append((min(shards), [k for found in shards.values() for k in found]))
    return groups


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def purge_naming(user_id: int, d: Naming) -> int:
    """Remove the rows of `d` naming the person; how many went."""
    if d.via is not None:
        return _purge_via(user_id, d)
    if d.of_media:
        return sum(_purge_scan(d, batch) for batch in media_ids(user_id))
    return _purge_scan(d, [user_id])


def _purge_via(user_id: int, d: Naming) -> int:
    assert d.via is not None
    own_table, own_column = d.via
    shard, after, gone = ids.shard_of(user_id), None, 0
    while True:
        rows = db.page(
            shard,
            f"SELECT {own_column} FROM {{{own_table}}} WHERE user_id = %s",
            [user_id],
            db.Keyset(own_column, after, BATCH, newest_first=False),
        )
        if not rows:
            return gone
        keys = [row[0] for row in rows]
        for other, found in by_database(keys):
            gone += _delete(other, d, f"{d.key} IN ({_marks(found)})", found, user_id)
        after = keys[-1]


def _purge_scan(d: Naming, values: list[int]) -> int:
    """Every shard: one statement per physical SQLite database (its shards share tables), one per
    logical shard on PostgreSQL."""
    gone = 0
    for alias in shardmap.physicals():
        shards = shardmap.logical_on(alias)
        for shard in shards if db.is_postgres(alias) else shards[:1]:
            gone += _delete(shard, d, "1 = 1", [], None, values)
    return gone


def _delete(
    shard: int, d: Naming, where: str, params: list, user_id: int | None,
    values: list[int] | None = None,
) -> int:  # fmt: skip
    """Delete `d`'s rows matching `where` on one shard, a batch at a time, each with its
    recount in one transaction."""
    named = [user_id] if values is None else values
    condition = f"{where} AND {d.column} IN ({_marks(named)})"
    gone = 0
    while True:
        with db.atomic(shard):
            rows = db.returning(
                shard,
                f"DELETE FROM {{{d.table}}} WHERE {_row(shard)} IN (SELECT {_row(shard)}"
                f" FROM {{{d.table}}} WHERE {condition} LIMIT {BATCH}) RETURNING {d.key}",
                [*params, *named],
            )
            keys = [row[0] for row in rows]
            if d.recount and keys:
                _recount(shard, d.recount, keys)
        if keys and d.touched:
            d.touched(sorted(set(keys)))
        outbox.pause_for_tests("purge")  # tests kill the purge here, between two batches
        gone += len(keys)
        if len(keys) < BATCH:
            return gone


def _row(shard: int) -> str:
    """The column naming a row physically, to delete a limited batch of them."""
    return "ctid" if db.is_postgres(shardmap.physical_of(shard)) else "rowid"


def _recount(shard: int, recount: tuple[str, str, str], keys: list[int]) -> None:
    """Take each deleted row off its count: one statement per distinct number taken (nearly
    always one: a person follows someone once)."""
    table, key, column = recount
    taken: dict[int, int] = {}
    for k in keys:
        taken[k] = taken.get(k, 0) + 1
    by_amount: dict[int, list[int]] = {}
    for k, n in taken.items():
        by_amount.setdefault(n, []).append(k)
    for n, found in by_amount.items():
        db.execute(
            shard,
            f"UPDATE {{{table}}} SET {column} = {column} - %s WHERE {key} IN ({_marks(found)})",
            [n, *found],
        )


def purge_own(user_id: int, d: Owned | OfMedia) -> int:
    """Remove the person's rows of an own-shard table, a batch at a time."""
    shard, gone = ids.shard_of(user_id), 0
    if isinstance(d, OfMedia):
        for batch in media_ids(user_id):
            gone += db.execute(
                shard, f"DELETE FROM {{{d.table}}} WHERE {d.column} IN ({_marks(batch)})", batch
            )
        return gone
    rowid = _row(shard)
    while True:
        n = db.execute(
            shard,
            f"DELETE FROM {{{d.table}}} WHERE {rowid} IN (SELECT {rowid} FROM {{{d.table}}}"
            f" WHERE {d.column} = %s LIMIT {BATCH * 4})",
            [user_id],
        )
        gone += n
        if n < BATCH * 4:
            return gone
