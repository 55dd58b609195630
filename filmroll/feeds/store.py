"""Home-feed stores: per user, the IDs of the feed's photos, newest first, capped.

A feed store is a cache of what the shards know: any feed can be wiped and rebuilt with nothing
lost. Only feeds that exist are added to; a missing feed is rebuilt when it is next read.

- RedisStore (cluster mode): each feed is one string of 8-byte big-endian IDs, newest first, so
  an entry costs 8 bytes (a sorted set costs ~86); keys are spread over the configured Redis
  instances by hashing the user ID, and a Lua script inserts into 1000 feeds of one instance in
  one call, the instances working at the same time.
- SqlStore (embedded default): a table on each user's logical shard, each feed's length kept
  beside it (feeds_built.entries) so that adding to a full feed costs what adding to an empty
  one does; a full feed is trimmed by batch, reads stop at the cap.

Both answer to FeedStore; `store()` gives the one configured.
"""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, cast

from django.conf import settings

from filmroll.once import once
from filmroll.sharding import db, ids

TTL = 30 * 86400  # an idle user's feed goes, and is rebuilt if they come back


class FeedStore(Protocol):
    """Per user, the IDs of the home feed's photos, newest first, at most `feed_cap`."""

    def exists(self, user_id: int) -> bool:
        """Whether the user's feed is there (a missing one is rebuilt, not read as empty)."""
        ...

    def add(self, user_ids: Iterable[int], media_id: int) -> int:
        """Put `media_id` in its place in each existing feed of `user_ids`, once, keeping the
        cap; how many feeds took it. Missing feeds are left missing."""
        ...

    def remove(self, user_id: int, media_ids: list[int]) -> None:
        """Take these photos out of one feed."""
        ...

    def remove_everywhere(self, user_ids: list[int], media_id: int) -> None:
        """Take one photo out of many feeds."""
        ...

    def replace(self, user_id: int, media_ids: list[int]) -> None:
        """Make (or remake) the user's feed: these IDs, given newest first, up to the cap."""
        ...

    def read(self, user_id: int) -> list[int] | None:
        """The whole feed, newest first; None when it does not exist."""
        ...

    def drop(self, user_id: int) -> None:
        """Forget the user's feed (it is rebuilt when next read)."""
        ...


class SqlStore(FeedStore):
    def exists(self, user_id: int) -> bool:
        return (
            db.fetchone(
                ids.shard_of(user_id), "SELECT 1 FROM {feeds_built} WHERE user_id = %s", [user_id]
            )
            is not None
        )

    def add(self, user_ids: Iterable[int], media_id: int) -> int:
        """Per shard, one short transaction of two statements, each touching a few index
        entries per feed whatever its length: the feed's length is kept beside it
        (feeds_built.entries), so a feed is trimmed only once it has grown a slack past the cap,
        by batch, from the start of its index range (trimming by OFFSET cap walked the whole
        feed on every add); the trim's rows, once every slack adds, make one row per add."""
        added = 0
        by_shard: dict[int, list[int]] = defaultdict(list)
        for user_id in user_ids:
            by_shard[ids.shard_of(user_id)].append(user_id)
        cap = settings.FILMROLL.feed_cap
        for shard, users in by_shard.items():
            with db.atomic(shard):
                grown = [
                    row[0]
                    for row in db.returning(
                        shard,
                        "INSERT INTO {feeds} (user_id, media_id) SELECT user_id, %s FROM"
                        f" {{feeds_built}} WHERE user_id IN ({_marks(users)})"
                        " ON CONFLICT DO NOTHING RETURNING user_id",
                        [media_id, *users],
                    )
                ]
                added += len(grown)
                if grown:
                    _trim(shard, _count(shard, grown, +1), cap)
        return added

    def remove(self, user_id: int, media_ids: list[int]) -> None:
        if media_ids:
            shard = ids.shard_of(user_id)
            with db.atomic(shard):
                # the slack past the cap first: what was not shown must not surface in its place
                length = _count(shard, [user_id], 0)
                _trim(shard, length, settings.FILMROLL.feed_cap, 0)
                gone = db.returning(
                    shard,
                    f"DELETE FROM {{feeds}} WHERE user_id = %s AND media_id IN ({_marks(media_ids)})"
                    " RETURNING user_id",
                    [user_id, *media_ids],
                )
                if gone:
                    _count(shard, [user_id], -len(gone))

    def remove_everywhere(self, user_ids: list[int], media_id: int) -> None:
        """One transaction per shard."""
        by_shard: dict[int, list[int]] = defaultdict(list)
        for user_id in user_ids:
            by_shard[ids.shard_of(user_id)].append(user_id)
        for shard, users in by_shard.items():
            with db.atomic(shard):
                # as in remove: the slack goes first (a delete is rare; a fan-out is not)
                _trim(shard, _count(shard, users, 0), settings.FILMROLL.feed_cap, 0)
                gone = db.returning(
                    shard,
                    f"DELETE FROM {{feeds}} WHERE media_id = %s AND user_id IN ({_marks(users)})"
                    " RETURNING user_id",
                    [media_id, *users],
                )
                if gone:
                    _count(shard, [row[0] for row in gone], -1)

    def replace(self, user_id: int, media_ids: list[int]) -> None:
        shard = ids.shard_of(user_id)
        with db.atomic(shard):
            db.execute(shard, "DELETE FROM {feeds} WHERE user_id = %s", [user_id])
            kept = media_ids[: settings.FILMROLL.feed_cap]
            if kept:  # one multi-row insert, not a statement per entry
                rows = ", ".join(["(%s, %s)"] * len(kept))
                db.execute(
                    shard,
                    f"INSERT INTO {{feeds}} (user_id, media_id) VALUES {rows}",
                    [value for media_id in kept for value in (user_id, media_id)],
                )
            db.execute(
                shard,
                "INSERT INTO {feeds_built} (user_id, entries) VALUES (%s, %s)"
                " ON CONFLICT (user_id) DO UPDATE SET entries = excluded.entries",
                [user_id, len(kept)],
            )

    def read(self, user_id: int) -> list[int] | None:
        if not self.exists(user_id):
            return None
        rows = db.fetchall(
            ids.shard_of(user_id),
            "SELECT media_id FROM {feeds} WHERE user_id = %s ORDER BY media_id DESC LIMIT %s",
            [user_id, settings.FILMROLL.feed_cap],
        )
        return [row[0] for row in rows]

    def drop(self, user_id: int) -> None:
        shard = ids.shard_of(user_id)
        with db.atomic(shard):
            db.execute(shard, "DELETE FROM {feeds} WHERE user_id = %s", [user_id])
            db.execute(shard, "DELETE FROM {feeds_built} WHERE user_id = %s", [user_id])


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _count(shard: int, user_ids: list[int], change: int) -> list[tuple[int, int]]:
    """Keep the lengths of these feeds (one row each in feeds_built) in step with their rows;
    each feed's user ID and new length."""
    return [
        (row[0], row[1])
        for row in db.returning(
            shard,
            f"UPDATE {{feeds_built}} SET entries = entries + %s WHERE user_id IN ({_marks(user_ids)})"
            " RETURNING user_id, entries",
            [change, *user_ids],
        )
    ]


def slack(cap: int) -> int:
    """How far past the cap a SQL-stored feed may grow before it is trimmed back to the cap."""
    return max(1, cap // 10)


def _trim(shard: int, lengths: list[tuple[int, int]], cap: int, allowed: int | None = None) -> None:
    """Trim each of these feeds (user ID, length) that has grown a slack past the cap back to
    the cap, by batch: the oldest entries, one contiguous run at the start of its index range,
    once every slack adds (trimming one entry per add would touch a second index page on every
    add). Reads stop at the cap, so the slack is never seen. `allowed`: another slack."""
    for user_id, entries in lengths:
        if entries > cap + (slack(cap) if allowed is None else allowed):
            trimmed = db.execute(
                shard,
                # up to a boundary found at the start of the feed's index range: both the
                # search and the delete read only the entries that go
                "DELETE FROM {feeds} WHERE user_id = %s AND media_id <= (SELECT media_id FROM"
                " {feeds} WHERE user_id = %s ORDER BY media_id LIMIT 1 OFFSET %s)",
                [user_id, user_id, entries - cap - 1],
            )
            _count(shard, [user_id], -trimmed)


# Insert ARGV[1] (8 bytes) into each existing feed in KEYS, in order, once, keeping ARGV[2] entries.
ADD_SCRIPT = """
local id, cap, added = ARGV[1], tonumber(ARGV[2]), 0
for _, key in ipairs(KEYS) do
  local feed = redis.call('GET', key)
  if feed then
    local n = #feed / 8
    local lo = 0
    if n > 0 and string.sub(feed, 1, 8) > id then
      -- not the newest (rare: a backfill or a redelivery): find its place by binary search
      local hi = n
      while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        if string.sub(feed, mid * 8 + 1, mid * 8 + 8) > id then lo = mid + 1 else hi = mid end
      end
    end
    if lo < cap and string.sub(feed, lo * 8 + 1, lo * 8 + 8) ~= id then
      if lo == 0 then
        feed = id .. string.sub(feed, 1, (cap - 1) * 8)
      else
        feed = string.sub(feed, 1, lo * 8) .. id .. string.sub(feed, lo * 8 + 1, (cap - 1) * 8)
      end
      redis.call('SET', key, feed, 'KEEPTTL')
      added = added + 1
    end
  end
end
return added
"""

# Remove the 8-byte IDs in ARGV from each feed in KEYS.
REMOVE_SCRIPT = """
local drop, removed = {}, 0
for _, id in ipairs(ARGV) do drop[id] = true end
for _, key in ipairs(KEYS) do
  local feed = redis.call('GET', key)
  if feed then
    local kept = {}
    for i = 1, #feed, 8 do
      local entry = string.sub(feed, i, i + 7)
      if not drop[entry] then kept[#kept + 1] = entry end
    end
    if #kept < #feed / 8 then
      redis.call('SET', key, table.concat(kept), 'KEEPTTL')
      removed = removed + (#feed / 8) - #kept
    end
  end
end
return removed
"""


def pack(media_ids: Iterable[int]) -> bytes:
    media_ids = list(media_ids)
    return struct.pack(f">{len(media_ids)}q", *media_ids)


def unpack(data: bytes) -> list[int]:
    return list(struct.unpack(f">{len(data) // 8}q", data))


class RedisStore(FeedStore):
    def __init__(self, urls: tuple[str, ...]) -> None:
        from filmroll import redisconn

        self.clients = [
            redisconn.client(url, socket_timeout=5, socket_connect_timeout=5) for url in urls
        ]
        self.add_script = [client.register_script(ADD_SCRIPT) for client in self.clients]
        self.remove_script = [client.register_script(REMOVE_SCRIPT) for client in self.clients]

    @staticmethod
    def key(user_id: int) -> str:
        return f"feed:{user_id}"

    def node(self, user_id: int) -> int:
        # The sequence bits and the time bits mixed: even over instances, and cheap enough to do a
        # million times in one fan-out. (Changing the instance count moves feeds: they rebuild.)
        return (user_id ^ (user_id >> 23)) % len(self.clients)

    def exists(self, user_id: int) -> bool:
        return bool(self.clients[self.node(user_id)].exists(self.key(user_id)))

    def add(self, user_ids: Iterable[int], media_id: int) -> int:
        by_node: dict[int, list[str]] = defaultdict(list)
        for user_id in user_ids:
            by_node[self.node(user_id)].append(self.key(user_id))
        entry, cap = pack([media_id]), settings.FILMROLL.feed_cap

        def deliver(node: int) -> int:
            keys, added = by_node[node], 0
            for start in range(0, len(keys), 1000):  # batches of 1000 feeds, one script call each
                added += self.add_script[node](keys=keys[start : start + 1000], args=[entry, cap])
            return added

        if len(by_node) <= 1:
            return sum(deliver(node) for node in by_node)
        # The instances work at the same time: one thread each, waiting on its socket.
        with ThreadPoolExecutor(len(by_node)) as pool:
            return sum(pool.map(deliver, by_node))

    def remove(self, user_id: int, media_ids: list[int]) -> None:
        if media_ids:
            node = self.node(user_id)
            self.remove_script[node](keys=[self.key(user_id)], args=[pack([m]) for m in media_ids])

    def remove_everywhere(self, user_ids: list[int], media_id: int) -> None:
        """One script call per 1000 feeds of an instance."""
        by_node: dict[int, list[str]] = defaultdict(list)
        for user_id in user_ids:
            by_node[self.node(user_id)].append(self.key(user_id))
        for node, keys in by_node.items():
            for start in range(0, len(keys), 1000):
                self.remove_script[node](keys=keys[start : start + 1000], args=[pack([media_id])])

    def replace(self, user_id: int, media_ids: list[int]) -> None:
        cap = settings.FILMROLL.feed_cap
        self.clients[self.node(user_id)].set(
            self.key(user_id), pack(sorted(media_ids, reverse=True)[:cap]), ex=TTL
        )

    def read(self, user_id: int) -> list[int] | None:
        # GETEX (Redis 6.2): the feed and its TTL renewed in one command, not a pipeline of two
        data = self.clients[self.node(user_id)].getex(self.key(user_id), ex=TTL)
        return None if data is None else unpack(cast(bytes, data))  # no decode_responses

    def drop(self, user_id: int) -> None:
        self.clients[self.node(user_id)].delete(self.key(user_id))


@once
def store() -> FeedStore:
    urls = settings.FILMROLL.feed_redis
    return RedisStore(urls) if urls else SqlStore()
