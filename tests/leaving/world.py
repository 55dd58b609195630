"""A small world around ana, the person who leaves: photos (a tag, a place, alt text, an
avatar), followers and follows both ways, likes and comments both ways, a mention, blocks both
ways, a follow request she made, a device, a connected account, mutes, saved photos, people in
photos and dismissed suggestions both ways; and the scans that prove none of
it is left after her purge."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import connections
from django.utils import timezone

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.discovery import suggestions
from filmroll.discovery import tables as index_tables
from filmroll.feeds.store import store
from filmroll.files import storage
from filmroll.graph import mutes, relationships
from filmroll.media import cache, comments, likes, people, photos, saved
from filmroll.push.models import Device
from filmroll.sharding import db, schema, shardmap
from filmroll.sharing.models import Account
from tests.support.images import png_bytes, upload, upload_album
from tests.support.personas import Api, make_user
from tests.support.tasks import run_tasks


@dataclass
class World:
    ana: User
    ana_api: Api
    bo: User
    bo_api: Api
    cy: User
    carol: User
    media: list[int]  # ana's photos
    bo_photo: int
    files: list[str]  # every stored file of ana's (sizes and avatar)


def post(api: Api, caption: str, **fields) -> int:
    answer = upload(api, png_bytes(), caption=caption, **fields)
    assert answer.status_code == 201, answer.content
    return int(answer.json()["data"]["id"])


def post_album(api: Api, caption: str, count: int) -> int:
    answer = upload_album(api, [png_bytes()] * count, caption=caption,
                          **{"alt_text[]": [f"photo {n}" for n in range(1, count + 1)]})  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert len(answer.json()["data"]["carousel_media"]) == count
    return int(answer.json()["data"]["id"])


def build() -> World:
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    cy, _ = make_user("cy")
    carol, _ = make_user("carol", private=True)
    dd, _ = make_user("dd")
    ee, _ = make_user("ee")
    for who, whom in ((bo, ana), (cy, ana), (ana, bo)):
        relationships.act(who, whom, "follow")
    relationships.act(ana, carol, "follow")  # a request: carol is private
    relationships.act(ana, dd, "block")
    relationships.act(ee, ana, "block")
    first = post(ana_api, "pier at dusk #leavingtest", lat="52.52", lng="13.405",
                 alt_text="A wooden pier in orange light")  # fmt: skip
    second = post_album(ana_api, "second #leavingtest", 3)  # an album: its photos go too
    bo_photo = post(bo_api, "bo's ferry")
    likes.like(bo, first)
    likes.like(ana, bo_photo)
    likes.like(ana, first)  # her own
    comments.add(bo, first, "lovely, @cy should see this")
    comments.add(ana, bo_photo, "what a ferry @cy")
    comments.add(ana, first, "#leavingtest again")
    # mutes, saved photos, people in photos and dismissed suggestions, both ways
    mutes.mute(ana.id, cy.id)
    mutes.mute(cy.id, ana.id)
    saved.save(ana, bo_photo)
    saved.save(bo, first)
    people.tag(ana, first, [(bo.id, 0.3, 0.6)])
    people.tag(bo, bo_photo, [(ana.id, 0.5, 0.5)])
    suggestions.dismiss(ana.id, str(dd.id))
    suggestions.dismiss(cy.id, str(ana.id))
    assert ana_api.post("/api/v1/users/self", {"full_name": "Ana"}).status_code == 200
    from filmroll.accounts import users

    users.set_avatar(ana, png_bytes())
    Device.objects.create(user_id=ana.id, platform="fcm", token="ana-device")
    Account.objects.create(user_id=ana.id, provider="mastodon", token="sealed", handle="@ana")
    run_tasks()
    ana.refresh_from_db()
    files = [key for m in (first, second) for key in photos.visible(ana.id, m)[0].file_keys]
    assert len(files) == 4 * 4  # four sizes of each of her four photos
    files.append(ana.avatar_key)
    for key in files:
        assert storage.exists(key)
    return World(ana, ana_api, bo, bo_api, cy, carol, [first, second], bo_photo, files)


def expire_grace(user: User) -> None:
    User.objects.filter(id=user.id).update(
        delete_after=timezone.now() - timezone.timedelta(seconds=1)
    )


def _columns(shard: int, table: str) -> list[str]:
    """The table's integer columns named as IDs (`id`, `..._id`): what can hold a person's or a
    photo's ID (a text column such as the outbox's request_id cannot)."""
    alias = shardmap.physical_of(shard)
    with connections[alias].cursor() as cursor:
        if db.is_postgres(alias):
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = %s AND table_name = %s",
                [schema.schema_name(shard), table],
            )
            found = cursor.fetchall()
        else:
            cursor.execute(f"PRAGMA table_info({table})")
            found = [(row[1], row[2]) for row in cursor.fetchall()]
    return [
        name for name, kind in found
        if "int" in kind.lower() and (name == "id" or name.endswith("_id"))
    ]  # fmt: skip


def shard_rows_naming(values: set[int]) -> dict[str, int]:
    """Rows of every shard table (sharding/schema.tables(), whatever the packages declared) that
    hold one of `values` in any ID column: table.column -> rows, on every shard."""
    found: dict[str, int] = {}
    marks = ", ".join(["%s"] * len(values))
    for alias in shardmap.physicals():
        shards = shardmap.logical_on(alias)
        for shard in shards if db.is_postgres(alias) else shards[:1]:
            for table in schema.tables():
                for column in _columns(shard, table):
                    (n,) = db.fetchone(
                        shard, f"SELECT count(*) FROM {{{table}}} WHERE {column} IN ({marks})",
                        list(values),
                    )  # fmt: skip
                    if n:
                        key = f"{table}.{column}"
                        found[key] = found.get(key, 0) + n
    return found


def index_rows(media_ids: list[int], user_id: int) -> dict[str, int]:
    marks = ", ".join(["%s"] * len(media_ids))
    found = {}
    with connections[index_tables.ALIAS].cursor() as cursor:
        for table, column in (("media_index", "media_id"), ("tag_media", "media_id"),
                              ("popular", "media_id"), ("media_index", "user_id")):  # fmt: skip
            values = [user_id] if column == "user_id" else media_ids
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(values))})",
                values,
            )
            found[f"{table}.{column}"] = cursor.fetchone()[0]
    del marks
    return {k: v for k, v in found.items() if v}


def feed_entries(media_ids: list[int]) -> list[tuple[str, int]]:
    """Every feed entry of these photos in the feed store: the Redis keys scanned whole, or the
    SQL table (which shard_rows_naming also covers)."""
    wanted, found = set(media_ids), []
    if settings.FILMROLL.feed_redis:
        from filmroll.feeds.store import RedisStore, unpack

        redis_store = store()
        assert isinstance(redis_store, RedisStore)
        for client in redis_store.clients:
            for key in client.scan_iter(match="feed:*"):
                found += [(key.decode(), m) for m in unpack(client.get(key) or b"") if m in wanted]
        return found
    rows = shard_rows_naming(wanted)
    return [(k, n) for k, n in rows.items() if k.startswith("feeds.")]


def cached(ana_id: int, media_ids: list[int]) -> list[str]:
    """What the object cache still answers for ana or her photos (loaders see the databases)."""
    from filmroll.accounts import users

    left = []
    if users.cached([ana_id]):
        left.append("user")
    if cache.get_many(media_ids):
        left.append("media")
    return left


def counts_of(*people: User) -> dict[str, dict[str, int]]:
    found = counts.for_users([p.id for p in people])
    return {p.username: found[p.id] for p in people}


def sessions_of(user_id: int) -> list[str]:
    """Every web session in the configured session store that signs this person in: the
    database's table read whole, or the sessions Redis's keys scanned whole."""
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE.endswith(".cache"):
        from django.core.cache import caches

        client = caches[settings.SESSION_CACHE_ALIAS]._cache.get_client()
        prefix = engine.KEY_PREFIX
        keys = [k.decode().split(prefix, 1)[1] for k in client.scan_iter(match=f"*{prefix}*")]
    else:
        from django.contrib.sessions.models import Session

        keys = list(Session.objects.values_list("session_key", flat=True))
    return sorted(
        key
        for key in keys
        if engine.SessionStore(session_key=key).load().get("_auth_user_id") == str(user_id)
    )
