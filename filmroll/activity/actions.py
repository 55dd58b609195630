"""What each person did lately (liked a photo, commented, started following someone): per actor,
a short capped list of their own actions, newest first, written once per action. The Following
tab (feeds/following.py) reads it by merging the lists of the people the viewer follows, so a
like by someone with a million followers is one write, not a million (see docs/architecture.md).

Like the home-feed store it is a cache of what the shards know (likes, comments, follow edges),
and, like the activity store, only a store: who may see an action is decided where the tab is
assembled. Two backends answer to ActionStore; `store()` gives the one configured:

- RedisStore (cluster mode): one string per actor of 25-byte entries (ID, kind, target, extra),
  on the instance the actor's ID hashes to; a record or forget is one script call, a read one
  MGET per instance for all the actors on it.
- SqlStore (embedded default): a table on the actor's logical shard, read with one query per
  physical database for all the actors.
"""

from __future__ import annotations

import heapq
import struct
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from filmroll.once import once
from filmroll.sharding import db, ids

CAP = 20  # actions kept per actor: the tab shows the recent past, not a history
TTL = 14 * 86400  # an actor idle this long has nothing recent to show
KINDS = {"like": 1, "comment": 2, "follow": 3}
NAMES = {code: name for name, code in KINDS.items()}


@dataclass(frozen=True)
class Action:
    id: int  # made on the actor's shard when recorded: it sorts by time
    actor_id: int
    kind: str  # like (target: a photo), comment (a photo; extra: the comment), follow (a person)
    target_id: int
    extra_id: int = 0


class ActionStore(Protocol):
    def record(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        """The actor did `kind` to `target` now: it goes first in their list, replacing the
        same action done before (a like again), and the oldest past the cap go."""
        ...

    def forget(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        """Take an action back (an unlike, an unfollow, a deleted comment)."""
        ...

    def recent(self, actor_ids: Iterable[int], limit: int) -> list[Action]:
        """The newest `limit` actions of all these actors together, newest first."""
        ...

    def drop(self, actor_id: int) -> None:
        """Every action of the actor (an account purged)."""
        ...


def _new_id(actor_id: int) -> int:
    return db.new_ids(ids.shard_of(actor_id))[0]


class SqlStore(ActionStore):
    def record(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        shard = ids.shard_of(actor_id)
        with db.atomic(shard):
            self._delete(actor_id, kind, target_id, extra_id)
            db.insert(
                shard,
                "actions",
                {"actor_id": actor_id, "kind": KINDS[kind], "target_id": target_id,
                 "extra_id": extra_id},
            )  # fmt: skip
            db.execute(
                shard,
                "DELETE FROM {actions} WHERE actor_id = %s AND id < (SELECT id FROM {actions}"
                " WHERE actor_id = %s ORDER BY id DESC LIMIT 1 OFFSET %s)",
                [actor_id, actor_id, CAP - 1],
            )

    def forget(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        self._delete(actor_id, kind, target_id, extra_id)

    def drop(self, actor_id: int) -> None:
        db.execute(ids.shard_of(actor_id), "DELETE FROM {actions} WHERE actor_id = %s", [actor_id])

    @staticmethod
    def _delete(actor_id: int, kind: str, target_id: int, extra_id: int) -> None:
        db.execute(
            ids.shard_of(actor_id),
            "DELETE FROM {actions} WHERE actor_id = %s AND kind = %s AND target_id = %s"
            " AND extra_id = %s",
            [actor_id, KINDS[kind], target_id, extra_id],
        )

    def recent(self, actor_ids: Iterable[int], limit: int) -> list[Action]:
        rows = db.select_by_keys(
            "actions", list(actor_ids), "id, kind, target_id, extra_id", key="actor_id"
        )
        newest = heapq.nlargest(limit, rows, key=lambda row: row[1])
        return [Action(r[1], r[0], NAMES[r[2]], r[3], r[4]) for r in newest]


ENTRY = struct.Struct(">qbqq")  # id, kind, target, extra: 25 bytes

# KEYS[1]: the actor's list. ARGV[1]: the new entry; ARGV[2]: its last 17 bytes (what it was
# done to), also dropped from further down; ARGV[3]: the cap; ARGV[4]: the TTL.
RECORD_SCRIPT = """
local list, entry, what, cap = redis.call('GET', KEYS[1]) or '', ARGV[1], ARGV[2], tonumber(ARGV[3])
local kept = {entry}
for i = 1, #list, 25 do
  if #kept >= cap then break end
  local old = string.sub(list, i, i + 24)
  if string.sub(old, 9, 25) ~= what then kept[#kept + 1] = old end
end
redis.call('SET', KEYS[1], table.concat(kept), 'EX', tonumber(ARGV[4]))
return #kept
"""

# KEYS[1]: the actor's list; ARGV[1]: the last 17 bytes of the entries to drop.
FORGET_SCRIPT = """
local list = redis.call('GET', KEYS[1])
if not list then return 0 end
local kept = {}
for i = 1, #list, 25 do
  local old = string.sub(list, i, i + 24)
  if string.sub(old, 9, 25) ~= ARGV[1] then kept[#kept + 1] = old end
end
if #kept * 25 < #list then redis.call('SET', KEYS[1], table.concat(kept), 'KEEPTTL') end
return #list / 25 - #kept
"""


class RedisStore(ActionStore):
    def __init__(self, urls: tuple[str, ...]) -> None:
        from filmroll import redisconn

        self.clients = [
            redisconn.client(url, socket_timeout=5, socket_connect_timeout=5) for url in urls
        ]
        self.record_script = [client.register_script(RECORD_SCRIPT) for client in self.clients]
        self.forget_script = [client.register_script(FORGET_SCRIPT) for client in self.clients]

    @staticmethod
    def key(actor_id: int) -> str:
        return f"actions:{actor_id}"

    def node(self, actor_id: int) -> int:
        return (actor_id ^ (actor_id >> 23)) % len(self.clients)  # as the feed store spreads

    def record(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        entry = ENTRY.pack(_new_id(actor_id), KINDS[kind], target_id, extra_id)
        self.record_script[self.node(actor_id)](
            keys=[self.key(actor_id)], args=[entry, entry[8:], CAP, TTL]
        )

    def forget(self, actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
        what = ENTRY.pack(0, KINDS[kind], target_id, extra_id)[8:]
        self.forget_script[self.node(actor_id)](keys=[self.key(actor_id)], args=[what])

    def drop(self, actor_id: int) -> None:
        self.clients[self.node(actor_id)].delete(self.key(actor_id))

    def recent(self, actor_ids: Iterable[int], limit: int) -> list[Action]:
        by_node: dict[int, list[int]] = defaultdict(list)
        for actor_id in dict.fromkeys(actor_ids):
            by_node[self.node(actor_id)].append(actor_id)

        def read(node: int) -> list[tuple[int, int, int, int, int]]:
            actors, found = by_node[node], []
            for start in range(0, len(actors), 1000):  # an MGET of 1000 lists at a time
                part = actors[start : start + 1000]
                blobs = self.clients[node].mget([self.key(a) for a in part])
                for actor_id, blob in zip(part, blobs, strict=True):
                    if isinstance(blob, bytes):  # the clients answer bytes (no decoding)
                        found += [(e[0], actor_id, *e[1:]) for e in ENTRY.iter_unpack(blob)]
            return found

        if len(by_node) <= 1:
            rows = [row for node in by_node for row in read(node)]
        else:  # the instances answer at the same time
            with ThreadPoolExecutor(len(by_node)) as pool:
                rows = [row for part in pool.map(read, by_node) for row in part]
        newest = heapq.nlargest(limit, rows)
        return [Action(r[0], r[1], NAMES[r[2]], r[3], r[4]) for r in newest]


@once
def store() -> ActionStore:
    urls = settings.FILMROLL.feed_redis
    return RedisStore(urls) if urls else SqlStore()


def record(actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
    store().record(actor_id, kind, target_id, extra_id)


def forget(actor_id: int, kind: str, target_id: int, extra_id: int = 0) -> None:
    store().forget(actor_id, kind, target_id, extra_id)
