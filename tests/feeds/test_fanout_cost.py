"""The cost of putting a post into one SQL-stored feed does not grow with the feed: counted as
the work the database does (SQLite: virtual-machine steps; PostgreSQL: index entries and rows
read), not timed."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator

from django.db import connections, transaction

from filmroll.feeds.store import SqlStore, slack
from filmroll.sharding import db, ids, schema, shardmap

SHARD = 1


@contextlib.contextmanager
def counted(alias: str) -> Iterator[list[int]]:
    """Count the database's work on `alias` while the block runs: [count] once it ends."""
    found = [0]
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection

        def step() -> int:
            found[0] += 1
            return 0  # go on

        raw.set_progress_handler(step, 1)
        try:
            yield found
        finally:
            raw.set_progress_handler(None, 1)
        return
    # PostgreSQL: this transaction's own counters of the shard's feed tables and their indexes
    names = ["feeds", "feeds_pkey", "feeds_built", "feeds_built_pkey"]
    query = (
        "SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid)"
        " + pg_stat_get_xact_tuples_fetched(c.oid)), 0) FROM pg_class c JOIN pg_namespace n"
        " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = ANY(%s)"
    )
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # the plans of a big table: on the test's few thousand rows the planner would rather
        # scan the whole table than the index, which no real feed table does
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(query, [schema.schema_name(SHARD), names])
        before = cursor.fetchone()[0]
        yield found
        cursor.execute(query, [schema.schema_name(SHARD), names])
        found[0] = cursor.fetchone()[0] - before


def cost(run: Callable[[], object]) -> int:
    with counted(shardmap.physical_of(SHARD)) as found:
        run()
    return found[0]


def test_a_post_costs_the_same_in_an_empty_feed_as_in_a_full_one(settings):
    feeds = SqlStore()
    posts = [ids.make_id(ids.EPOCH_MS + 10_000 + n, 3, n) for n in range(1200)]
    costs, users = {}, {}
    for cap, length in [(1000, 0), (1000, 500), (200, 200), (1000, 1000)]:
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, feed_cap=cap)
        users[cap, length] = user = db.new_ids(SHARD)[0]
        feeds.replace(user, sorted(posts[:length], reverse=True))
        newest = ids.make_id(ids.EPOCH_MS + 50_000 + length, 3, 0)
        costs[cap, length] = cost(lambda user=user, newest=newest: feeds.add([user], newest))
        kept = feeds.read(user)
        assert kept is not None and kept[0] == newest and len(kept) == min(cap, length + 1)
    # the same statements touch the same entries whatever the feed's length
    assert costs[1000, 0] == costs[1000, 500] == costs[1000, 1000] == costs[200, 200]
    # a full feed is trimmed by batch, once over a slack's worth of adds: that trim reads at
    # most the feed a few times (SQLite reads only the entries that go; PostgreSQL's plan reads
    # the user's index range), a constant per add amortized. OFFSET cap walked the whole feed
    # on every add: a slack's adds cost a hundred feeds' worth.
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, feed_cap=1000)
    more = [ids.make_id(ids.EPOCH_MS + 90_000 + n, 3, n) for n in range(slack(1000) + 1)]
    totals = {
        length: sum(cost(lambda m=m, u=users[1000, length]: feeds.add([u], m)) for m in more)
        for length in (0, 1000)
    }
    assert totals[1000] - totals[0] < 3 * (1000 + slack(1000))
    full = feeds.read(users[1000, 1000])
    assert full == sorted([*more, ids.make_id(ids.EPOCH_MS + 51_000, 3, 0), *posts[:1000]],
                          reverse=True)[:1000]  # fmt: skip
    rows, length = db.fetchone(
        SHARD, "SELECT count(*), max(entries) FROM {feeds}, {feeds_built} WHERE"
        " {feeds}.user_id = %s AND {feeds_built}.user_id = %s",
        [users[1000, 1000], users[1000, 1000]],
    )  # fmt: skip
    assert rows == length <= 1000 + slack(1000)  # trimmed back, its length counted right
