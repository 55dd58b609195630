"""What the feeds package keeps about a person (sharding/personal.py says how this works): the
person's own home feed, and the person's photos in every follower's feed. A feed store is only a
cache of the shards, so the followers' feeds are dropped, a batch at a time, and rebuilt without
the person when next read (the person's follows are gone by then: `Naming` runs first)."""

from django.db import transaction

from filmroll.activity import events
from filmroll.feeds.models import ActivitySeen, Celebrity
from filmroll.feeds.store import RedisStore, SqlStore, store
from filmroll.sharding import db, ids
from filmroll.sharding.personal import BATCH, Owned, Store, by_database


def _followers(user_id: int):
    after = None
    while True:
        rows = db.page(
            ids.shard_of(user_id),
            "SELECT follower_id FROM {followers} WHERE user_id = %s",
            [user_id],
            db.Keyset("follower_id", after, BATCH, newest_first=False),
        )
        if not rows:
            return
        yield [row[0] for row in rows]
        after = rows[-1][0]


def drop_many(user_ids: list[int]) -> None:
    """Forget many feeds at once (each is rebuilt when next read)."""
    feeds = store()
    if isinstance(feeds, RedisStore):
        by_node: dict[int, list[str]] = {}
        for user_id in user_ids:
            by_node.setdefault(feeds.node(user_id), []).append(feeds.key(user_id))
        for node, keys in by_node.items():
            feeds.clients[node].delete(*keys)
        return
    assert isinstance(feeds, SqlStore)
    for shard, found in by_database(user_ids):
        marks = ", ".join(["%s"] * len(found))
        with db.atomic(shard):
            db.execute(shard, f"DELETE FROM {{feeds}} WHERE user_id IN ({marks})", found)
            db.execute(shard, f"DELETE FROM {{feeds_built}} WHERE user_id IN ({marks})", found)


def _feeds(user_id: int) -> None:
    store().drop(user_id)
    for batch in _followers(user_id):
        drop_many(batch)
    with transaction.atomic():
        Celebrity.objects.filter(user_id=user_id).delete()
        ActivitySeen.objects.filter(user_id=user_id).delete()
        events.changed(user_id)  # the unread count's kept seen marker goes with the row


PERSONAL = [
    Owned("feeds"),
    Owned("feeds_built"),
    Store("home feeds (the person's, and the followers' holding the person's photos)", _feeds),
]
