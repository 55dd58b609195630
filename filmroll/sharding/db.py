"""SQL on logical shards: the one place that knows schemas, dialects and physical databases.

SQL given here names shard tables in braces, `SELECT ... FROM {media} WHERE id = %s`, and they
become `shard_0042.media` on PostgreSQL and `media` on SQLite. Reads of many rows group their
keys by physical database and run one query on each, never one per row.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DatabaseError, connections, transaction

from filmroll.sharding import ids, replicas, rows, schema, shardmap
from filmroll.sharding.schema import schema_name

T = TypeVar("T")


def is_postgres(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def table(shard: int, name: str) -> str:
    alias = shardmap.physical_of(shard)
    return f"{schema_name(shard)}.{name}" if is_postgres(alias) else name


class _Tables(dict):
    def __init__(self, shard: int) -> None:
        super().__init__()
        self.shard = shard

    def __missing__(self, name: str) -> str:
        return table(self.shard, name)


def render(shard: int, sql: str) -> str:
    return sql.format_map(_Tables(shard))


class ShardMoved(Exception):
    """A logical shard kept moving while this tried to reach it: try again in a moment."""


MOVE_RETRIES = 6


def _moved_away(error: BaseException) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in schema.MOVED_STATES


def _held(alias: str) -> set[int]:
    """The shards whose fence the open transaction on `alias` holds: kept on its outermost
    Atomic, so they go when that transaction ends."""
    blocks = connections[alias].atomic_blocks
    return blocks[0].__dict__.setdefault("filmroll_fenced", set()) if blocks else set()


def _fenced(alias: str, shard: int) -> bool:
    """In a transaction on `alias`: hold the shard's move fence (a shared lock on its guard row,
    which `sharding.moves` takes exclusively) unless held already; False when the shard has
    moved away. Once per shard and transaction."""
    if not is_postgres(alias):
        return True
    held = _held(alias)
    if shard in held:
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT moved FROM {schema_name(shard)}.guard FOR SHARE")
        row = cursor.fetchone()
    if row is None or row[0]:
        return False
    held.add(shard)
    return True


def _retry_pause(attempt: int) -> None:
    shardmap.reload()
    time.sleep(0.02 * 2**attempt)


@contextlib.contextmanager
def atomic(shard: int) -> Iterator[None]:
    """A transaction on the physical database holding `shard`, fenced against a move of the
    shard: when it has moved, the transaction starts over where the shard now lives, before
    anything ran in it. Writes of more than one statement run in one."""
    for attempt in range(MOVE_RETRIES):
        alias = shardmap.physical_of(shard)
        block = transaction.atomic(using=alias)
        block.__enter__()
        try:
            here = _fenced(alias, shard)
        except DatabaseError as error:
            block.__exit__(type(error), error, error.__traceback__)
            if not _moved_away(error):
                raise
            here = False
        else:
            if not here:
                block.__exit__(None, None, None)
        if here:
            break
        _retry_pause(attempt)
    else:
        raise ShardMoved(f"logical shard {shard} is moving: try again in a moment")
    try:
        yield
    except BaseException as error:
        block.__exit__(type(error), error, error.__traceback__)  # rolls back; never swallows
        raise
    else:
        block.__exit__(None, None, None)


def _again(alias_of: Callable[[], str], run: Callable[[str], T]) -> T:
    """`run(alias)` outside a transaction; if the shard it read has moved away, once more where
    it now is (the other processes learn of a move this way)."""
    for attempt in range(MOVE_RETRIES):
        alias = alias_of()
        try:
            return run(alias)
        except DatabaseError as error:
            if not _moved_away(error) or connections[alias].in_atomic_block:
                raise
        _retry_pause(attempt)
    raise ShardMoved("a logical shard is moving: try again in a moment")


def _write(shard: int, run: Callable[[Any], T]) -> T:
    """One write statement, `run(cursor)`. Inside a transaction it takes the shard's fence; on
    its own it needs none: a move locks the shard's tables, and a statement that waited on them
    finds the schema gone and runs again where the shard went (_again)."""
    alias = shardmap.physical_of(shard)
    if connections[alias].in_atomic_block:
        if shard in _held(alias):  # fenced already: no savepoint needed
            with connections[alias].cursor() as cursor:
                return run(cursor)
        with atomic(shard), connections[shardmap.physical_of(shard)].cursor() as cursor:
            return run(cursor)

    def direct(alias: str) -> T:
        with connections[alias].cursor() as cursor:
            return run(cursor)

    return _again(lambda: shardmap.physical_of(shard), direct)


def execute(shard: int, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; the number of rows it touched."""

    def run(cursor: Any) -> int:
        cursor.execute(render(shard, sql), params)
        return cursor.rowcount

    return _write(shard, run)


def returning(shard: int, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Run one write statement with a RETURNING clause, on the primary; the rows it returned."""

    def run(cursor: Any) -> list[tuple]:
        cursor.execute(render(shard, sql), params)
        return cursor.fetchall()

    return _write(shard, run)


def _query(alias: str, sql: str, params: Sequence[Any], one: bool = False) -> Any:
    """A read, on a replica of `alias` where that is safe (sharding.replicas)."""

    def run(cursor: Any) -> Any:
        cursor.execute(sql, params)
        return cursor.fetchone() if one else cursor.fetchall()

    return replicas.read(alias, run)


def fetchall(shard: int, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    return _again(
        lambda: shardmap.physical_of(shard), lambda a: _query(a, render(shard, sql), params)
    )


def fetchone(shard: int, sql: str, params: Sequence[Any] = ()) -> tuple | None:
    return _again(
        lambda: shardmap.physical_of(shard),
        lambda a: _query(a, render(shard, sql), params, one=True),
    )


@dataclass(frozen=True)
class Keyset:
    """One page of rows ordered by `column`, whose values are unique among the rows asked for:
    newest first below the cursor (`before`), or with `newest_first=False` oldest first above it
    (`after`). The cursor is the last value of the page before, None for the first page; no row
    is skipped or repeated while rows come and go, and each page is one index range scan.

        db.select(shard, Event, "activity", "user_id = %s", [user_id], db.Keyset("id", max_id, 20))
    """

    column: str
    cursor: int | None
    limit: int
    newest_first: bool = True

    def apply(self, sql: str, params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
        """`sql` (ending in its WHERE clause) and `params`, bounded, ordered and limited."""
        params = list(params)
        beyond, order = ("<", "DESC") if self.newest_first else (">", "ASC")
        if self.cursor is not None:
            sql += f" AND {self.column} {beyond} %s"
            params.append(self.cursor)
        return f"{sql} ORDER BY {self.column} {order} LIMIT %s", [*params, self.limit]


def page(shard: int, sql: str, params: Sequence[Any], keyset: Keyset) -> list[tuple]:
    """A page of the rows `sql` (ending in its WHERE clause) finds on a shard."""
    return fetchall(shard, *keyset.apply(sql, params))


def select(
    shard: int,
    cls: type[T],
    name: str,
    where: str,
    params: Sequence[Any] = (),
    keyset: Keyset | None = None,
) -> list[T]:
    """Rows of shard table `name` matching `where`, as `cls` (a dataclass, see sharding/rows):
    all of them, or a page of them."""
    sql = f"SELECT {rows.columns(cls)} FROM {{{name}}} WHERE {where}"
    if keyset is not None:
        sql, params = keyset.apply(sql, params)
    make = rows.maker(cls)
    return [make(row) for row in fetchall(shard, sql, params)]


def new_ids(shard: int, count: int = 1) -> list[int]:
    """`count` (at most 1024) fresh IDs on logical `shard`, made where its data lives."""
    if not 1 <= count <= 1024:
        raise ValueError("make 1 to 1024 IDs at a time: more would repeat within a millisecond")
    if is_postgres(shardmap.physical_of(shard)):

        def made(cursor: Any) -> list[int]:
            cursor.execute(
                f"SELECT {schema_name(shard)}.next_id() FROM generate_series(1, %s)", [count]
            )
            return [row[0] for row in cursor.fetchall()]

        return _write(shard, made)
    # One statement bumps the shard's sequence under SQLite's write lock, so processes never
    # share a value; the ID layout is the same as PostgreSQL's.
    with connections[shardmap.physical_of(shard)].cursor() as cursor:
        cursor.execute(
            "INSERT INTO id_sequences (shard, value) VALUES (%s, %s) ON CONFLICT (shard)"
            " DO UPDATE SET value = value + excluded.value RETURNING value",
            [shard, count],
        )
        last = cursor.fetchone()[0]
    now_ms = int(time.time() * 1000)
    return [ids.make_id(now_ms, shard, seq) for seq in range(last - count + 1, last + 1)]


def insert(shard: int, name: str, values: dict[str, Any]) -> int:
    """Insert a row with a fresh ID into a shard table; its ID."""
    if not is_postgres(shardmap.physical_of(shard)):
        values = {"id": new_ids(shard)[0], **values}
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))

    def run(cursor: Any) -> int:
        cursor.execute(
            f"INSERT INTO {table(shard, name)} ({columns}) VALUES ({marks}) RETURNING id",
            list(values.values()),
        )
        return cursor.fetchone()[0]

    return _write(shard, run)


def which(user_id: int, name: str, column: str, candidates: Iterable[int]) -> set[int]:
    """Which of `candidates` stand in `column` of the user's rows (`user_id`) of shard table
    `name`: one query on the user's own shard."""
    candidates = list(candidates)
    if not candidates:
        return set()
    marks = ", ".join(["%s"] * len(candidates))
    found = fetchall(
        ids.shard_of(user_id),
        f"SELECT {column} FROM {{{name}}} WHERE user_id = %s AND {column} IN ({marks})",
        [user_id, *candidates],
    )
    return {row[0] for row in found}


def by_physical(keys: Iterable[int]) -> dict[str, dict[int, list[int]]]:
    """Keys (IDs) grouped by physical database, then by logical shard. A key naming a shard this
    install does not have is left out: nothing can be stored under it."""
    grouped: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    count = shardmap.logical_count()
    for key in dict.fromkeys(keys):
        shard = ids.shard_of(key)
        if shard < count:
            grouped[shardmap.physical_of(shard)][shard].append(key)
    return grouped


def select_by_keys(
    name: str,
    keys: Iterable[int],
    columns: str,
    key: str = "id",
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple]:
    """Rows of shard table `name` whose `key` column is in `keys` (and `where`, with `params`),
    each starting with the key: one query per physical database, a UNION ALL over its schemas
    on PostgreSQL. Keys route by the shard their ID names."""
    keys = list(keys)
    return _again(
        lambda: "default", lambda _: _select_by_keys(name, keys, columns, key, where, params)
    )


def _select_by_keys(
    name: str, keys: list[int], columns: str, key: str, where: str, params: Sequence[Any]
) -> list[tuple]:
    extra = f" AND ({where})" if where else ""
    found: list[tuple] = []
    for alias, shards in by_physical(keys).items():
        args: list[Any] = []
        if is_postgres(alias):
            parts = []
            for shard, shard_keys in shards.items():
                marks = ", ".join(["%s"] * len(shard_keys))
                parts.append(
                    f"SELECT {key}, {columns} FROM {schema_name(shard)}.{name} WHERE {key} IN ({marks}){extra}"
                )
                args += [*shard_keys, *params]
            sql = " UNION ALL ".join(parts)
        else:
            args = [k for shard_keys in shards.values() for k in shard_keys]
            marks = ", ".join(["%s"] * len(args))
            sql = f"SELECT {key}, {columns} FROM {name} WHERE {key} IN ({marks}){extra}"
            args += list(params)
        found += _query(alias, sql, args)
    return found


def fetch_by_keys(
    name: str, keys: Iterable[int], columns: str, key: str = "id"
) -> dict[int, tuple]:
    """Rows of shard table `name` by their unique `key`: one query per physical database."""
    return {row[0]: row[1:] for row in select_by_keys(name, keys, columns, key)}


def load_by_keys(cls: type[T], name: str, keys: Iterable[int], key: str = "id") -> dict[int, T]:
    """Rows of shard table `name` by their unique `key`, as `cls` (see sharding/rows)."""
    make = rows.maker(cls)
    return {row[0]: make(row[1:]) for row in select_by_keys(name, keys, rows.columns(cls), key)}


def newest_by_keys(
    name: str, keys: Iterable[int], key: str, before: int | None, limit: int, column: str = "id"
) -> list[int]:
    """The `limit` highest values of `column` below `before` among rows whose `key` is in `keys`,
    highest first: one query per physical database (each shard's part uses its own index)."""
    keys = list(keys)
    return _again(
        lambda: "default", lambda _: _newest_by_keys(name, keys, key, before, limit, column)
    )


def _newest_by_keys(
    name: str, keys: list[int], key: str, before: int | None, limit: int, column: str
) -> list[int]:
    keyset = Keyset(column, before, limit)
    found: list[int] = []
    for alias, shards in by_physical(keys).items():
        parts, args = [], []
        for shard, shard_keys in shards.items():
            marks = ", ".join(["%s"] * len(shard_keys))
            source = f"{schema_name(shard)}.{name}" if is_postgres(alias) else name
            part, part_args = keyset.apply(
                f"SELECT {column} FROM {source} WHERE {key} IN ({marks})", shard_keys
            )
            parts.append(f"SELECT * FROM ({part}) AS part_{shard}")
            args += part_args
        sql = " UNION ALL ".join(parts) + f" ORDER BY {column} DESC LIMIT %s"
        found += [row[0] for row in _query(alias, sql, [*args, limit])]
    return sorted(found, reverse=True)[:limit]


def latest_by_keys(
    name: str, keys: Iterable[int], key: str, columns: str, order: str, per_key: int
) -> list[tuple]:
    """Up to `per_key` rows of shard table `name` for each of `keys` (highest `order` first),
    each row starting with its key: one query per physical database, a window over the key's
    index (PostgreSQL and SQLite alike)."""
    keys = list(keys)
    return _again(
        lambda: "default", lambda _: _latest_by_keys(name, keys, key, columns, order, per_key)
    )


def _latest_by_keys(
    name: str, keys: list[int], key: str, columns: str, order: str, per_key: int
) -> list[tuple]:
    rows: list[tuple] = []
    for alias, shards in by_physical(keys).items():
        parts, args = [], []
        for shard, shard_keys in shards.items():
            marks = ", ".join(["%s"] * len(shard_keys))
            source = f"{schema_name(shard)}.{name}" if is_postgres(alias) else name
            parts.append(
                f"SELECT {key}, {columns}, {order} AS order_ FROM {source} WHERE {key} IN ({marks})"
            )
            args += shard_keys
        ranked = (
            f"SELECT *, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY order_ DESC) AS rank_"
            f" FROM ({' UNION ALL '.join(parts)}) AS part"
        )
        sql = f"SELECT {key}, {columns} FROM ({ranked}) AS ranked WHERE rank_ <= %s"
        rows += _query(alias, sql, [*args, per_key])
    return rows
