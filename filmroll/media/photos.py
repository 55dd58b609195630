"""Photos: posting, reading and deleting. The media row lives on its owner's logical shard."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from filmroll import objcache
from filmroll.accounts import counts, users
from filmroll.accounts.models import User
from filmroll.errors import Forbidden, Invalid, NotFound
from filmroll.files import storage
from filmroll.graph import edges, mutes, visibility
from filmroll.media import cache, edits, filters, pipeline, previews
from filmroll.media.rows import Media
from filmroll.observe import metrics
from filmroll.places import geo, places
from filmroll.sharding import db, ids, outbox
from filmroll.tasks.dispatch import enqueue

MAX_CAPTION = 2200
MAX_ALT_TEXT = 1500
MAX_SPOILER_TEXT = 200


def check_caption(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Invalid("caption must be text")
    if "\x00" in raw:
        raise Invalid("caption must not contain NUL characters")
    if len(raw) > MAX_CAPTION:
        raise Invalid(f"caption must be at most {MAX_CAPTION} characters")
    return raw.strip()


def check_alt_text(raw: Any) -> str:
    """The image described for people who cannot see it; empty means the caption stands in."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Invalid("alt_text must be text")
    if "\x00" in raw:
        raise Invalid("alt_text must not contain NUL characters")
    if len(raw) > MAX_ALT_TEXT:
        raise Invalid(f"alt_text must be at most {MAX_ALT_TEXT} characters")
    return raw.strip()


def check_sensitive(raw: Any) -> bool:
    """A content warning's flag: true or false (a form's "true", "1", "on"; "false", "0", "")."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in ("true", "1", "on", "false", "0", ""):
        return raw.strip().lower() in ("true", "1", "on")
    raise Invalid("sensitive must be true or false")


def check_spoiler_text(raw: Any) -> str:
    """What a content warning says over the blurred photo ("spoilers", "a medical photo")."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Invalid("spoiler_text must be text")
    if "\x00" in raw:
        raise Invalid("spoiler_text must not contain NUL characters")
    if len(raw) > MAX_SPOILER_TEXT:
        raise Invalid(f"spoiler_text must be at most {MAX_SPOILER_TEXT} characters")
    return raw.strip()


def resolve_location(
    lat: Any, lng: Any, location_id: Any
) -> tuple[int | None, float | None, float | None]:
    if location_id not in (None, ""):
        try:
            place_id = ids.parse(location_id)
        except ValueError:
            raise Invalid("location_id is not a location") from None
        found = places.get_many([place_id]).get(place_id)
        if found is None:
            raise Invalid("location_id is not a location")
        return place_id, found["latitude"], found["longitude"]
    if lat in (None, "") and lng in (None, ""):
        return None, None, None
    if lat in (None, "") or lng in (None, ""):
        raise Invalid("give both lat and lng, or neither")
    return (None, *geo.check_point(lat, lng))


def publish(user_id: int, rendered: pipeline.Rendered, filter_name: str, caption: str = "",
            location: tuple[int | None, float | None, float | None] = (None, None, None),
            alt_text: str = "", warning: tuple[bool, str] = (False, ""),
            more: Sequence[tuple[pipeline.Rendered, str, str]] = ()) -> int:  # fmt: skip
    """Store a rendered photo's sizes, then record it: the new media ID. `more`: an album's
    other photos after this one, its cover, each (rendered, filter, alt text). Files are durable
    before the row exists, so a row never points at a missing file; when any step fails, the
    files stored so far go again."""
    keys: list[str] = []
    shard = ids.shard_of(user_id)
    location_id, latitude, longitude = location

    def store(photo: pipeline.Rendered) -> dict[str, dict]:
        sizes = {}
        for name, (data, width, height) in photo.sizes.items():
            keys.append(storage.save(data, "jpg"))
            sizes[name] = {"key": keys[-1], "width": width, "height": height}
        return sizes

    try:
        stored = store(rendered)
        album = [{"images": store(photo), "filter": name, "alt_text": alt, "blurhash": photo.blurhash}
                 for photo, name, alt in more]  # fmt: skip
        with db.atomic(shard):
            media_id = db.insert(
                shard,
                "media",
                {
                    **({"carousel": json.dumps(album)} if album else {}),
                    "user_id": user_id,
                    "caption": caption,
                    "alt_text": alt_text,
                    "sensitive": warning[0],
                    "spoiler_text": warning[1],
                    "filter": filter_name,
                    "location_id": location_id,
                    "latitude": latitude,
                    "longitude": longitude,
                    "images": json.dumps(stored),
                    "blurhash": rendered.blurhash,
                },
            )
            counts.bump(user_id, "media", 1)
            # In the row's transaction (its outbox), sent once it commits: never lost after.
            for name in ("feeds.fan_out", "discovery.index_media", "realtime.media_posted"):
                outbox.enqueue(shard, name, media_id)
    except BaseException:
        storage.discard(keys)
        raise
    metrics.PHOTOS.inc()
    return media_id


def post(user: User, data: bytes, caption: Any = "", filter_name: Any = "normal",
         lat: Any = None, lng: Any = None, location_id: Any = None,
         alt_text: Any = "", sensitive: Any = False, spoiler_text: Any = "",
         tools: Mapping[str, Any] | None = None) -> int:  # fmt: skip
    """Check everything cheap first, then decode and render, then store. A `spoiler_text`
    alone is a content warning too (`sensitive` set). `tools`: the editing tools' fields
    (rotate, crop, lux, filter_strength, tilt_shift, border: see edits.py)."""
    caption = check_caption(caption)
    alt_text = check_alt_text(alt_text)
    spoiler = check_spoiler_text(spoiler_text)
    warning = (check_sensitive(sensitive) or bool(spoiler), spoiler)
    filter_name = filter_name or "normal"
    if not isinstance(filter_name, str):
        raise Invalid("filter must be a filter's name")
    filter_name = filters.named(filter_name)
    location = resolve_location(lat, lng, location_id)
    asked = edits.parse(tools or {})
    rendered = pipeline.process(data, filter_name, asked)
    return publish(user.id, rendered, filter_name, caption, location, alt_text, warning)


def edit(user: User, raw_id: Any, fields: dict[str, Any]) -> Media:
    """The owner changes a photo's caption, alt text, content warning (`sensitive`,
    `spoiler_text`) or place (`location_id`, or `lat` and `lng`, or `location=none` to remove
    it); the index follows in the background."""
    media, owner = visible(user.id, raw_id)
    if owner.id != user.id:
        raise Forbidden("only the owner may edit a photo")
    changes: dict[str, Any] = {}
    if "caption" in fields:
        changes["caption"] = check_caption(fields["caption"])
    if "alt_text" in fields:
        changes["alt_text"] = check_alt_text(fields["alt_text"])
    if "spoiler_text" in fields:
        changes["spoiler_text"] = check_spoiler_text(fields["spoiler_text"])
    if "sensitive" in fields:
        changes["sensitive"] = check_sensitive(fields["sensitive"])
    elif changes.get("spoiler_text"):
        changes["sensitive"] = True  # a warning's text alone asks for the warning
    if fields.get("location") == "none":
        changes.update(location_id=None, latitude=None, longitude=None)
    elif any(fields.get(k) not in (None, "") for k in ("location_id", "lat", "lng")):
        location_id, lat, lng = resolve_location(
            fields.get("lat"), fields.get("lng"), fields.get("location_id")
        )
        changes.update(location_id=location_id, latitude=lat, longitude=lng)
    if changes:
        shard = ids.shard_of(media.id)
        assignments = ", ".join(f"{column} = %s" for column in changes)
        db.execute(
            shard,
            f"UPDATE {{media}} SET {assignments} WHERE id = %s",
            [*changes.values(), media.id],
        )
        cache.invalidate(media.id)
        enqueue("discovery.index_media", media.id)
    return visible(user.id, media.id)[0]


def visible(viewer_id: int | None, raw_id: Any) -> tuple[Media, User]:
    """The media and its owner if the viewer may see it; NotFound, exactly as for a missing one,
    otherwise."""
    try:
        media_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such media") from None
    rows, owners = _rows_and_owners(viewer_id, [media_id])
    media = rows.get(media_id)
    owner = owners.get(media.user_id) if media else None
    if media is None or owner is None or not visibility.can_see(viewer_id, owner):
        raise NotFound("no such media")
    return media.with_owner(owner), owner


def public(viewer_id: int | None, raw_id: Any) -> tuple[Media, User]:
    """A photo anyone may see (its account is public) and the viewer too (no block either way):
    what embeds, oEmbed and image links serve. NotFound otherwise, as for a missing one."""
    media, owner = visible(None, raw_id)
    if viewer_id is not None:
        visible(viewer_id, media.id)
    return media, owner


def delete(user: User, raw_id: Any) -> None:
    """The owner removes a photo: the row and count now, the files in the background."""
    media, owner = visible(user.id, raw_id)
    if owner.id != user.id:
        raise Forbidden("only the owner may delete a photo")
    shard = ids.shard_of(media.id)
    with db.atomic(shard):
        gone = db.execute(shard, "DELETE FROM {media} WHERE id = %s", [media.id])
        if gone:
            counts.bump(owner.id, "media", -1)
            cache.invalidate(media.id)  # now, and again when this commits
            # sent once the delete commits (a task never sees the row still there)
            outbox.enqueue(shard, "media.delete_files", media.file_keys)  # an album's: all
            outbox.enqueue(shard, "feeds.media_deleted", media.id, owner.id)
            outbox.enqueue(shard, "media.forget_activity", media.id, owner.id)
            outbox.enqueue(shard, "discovery.index_media", media.id)
            if media.people:  # their "Photos of you" rows and events go (media/people.py)
                tagged = [t[0] for t in media.people]
                outbox.enqueue(shard, "media.settle_people", owner.id, media.id, tagged)


def visible_many(viewer_id: int | None, media_ids: list[int]) -> list[Media]:
    """The media the viewer may see, in the order given; others dropped as if missing. Each
    item carries its owner (`owner`), fetched once for the list."""
    rows, owners = _rows_and_owners(viewer_id, media_ids)
    allowed = visibility.visible_owners(viewer_id, owners.values())
    return [
        rows[m].with_owner(owners[rows[m].user_id])
        for m in media_ids
        if m in rows and rows[m].user_id in allowed
    ]


# What a read learnt of each photo, kept per process so that the next read of it asks for
# everything in one multi-get: its owner (a photo never changes hands) and the people its
# latest likers and comments named (only a guess: whatever is missed is asked for after).
_owner_of: dict[int, int] = {}
_people_of: dict[int, tuple[int, ...]] = {}
KEPT = 100_000


def _rows_and_owners(
    viewer_id: int | None, media_ids: list[int]
) -> tuple[dict[int, Media], dict[int, User]]:
    """Media rows and their owners, in one multi-get for photos read before (`_owner_of`),
    else two. Inside a read request that renders what it reads (objcache.remembering), what
    the rendering and the visibility rule ask next comes in the same ones: the photos' latest
    likers and comments, the viewer's block and mute sets, likes and saves, those people, the
    photos' places."""
    rendering = objcache.remembers()
    # .get: another thread may clear the guesses between a look and a read
    guessed = {o for o in map(_owner_of.get, media_ids) if o is not None}
    first = [cache.batch(media_ids)]
    if rendering:
        first.append(previews.batch(media_ids))
        if viewer_id is not None:
            first += [
                edges.hidden_batch(viewer_id),
                mutes.muted_batch(viewer_id),  # the home feed leaves out whom the viewer muted
                cache.liked_batch(viewer_id, media_ids),
                cache.saved_batch(viewer_id, media_ids),
            ]
        guessed.update(p for m in media_ids for p in _people_of.get(m, ()))
    found = objcache.fetch(*first, users.batch(guessed))
    rows: dict[int, Media] = found[0]
    if len(_owner_of) > KEPT or len(_people_of) > KEPT:
        _owner_of.clear()
        _people_of.clear()
    owner_ids = set()
    for m in rows.values():
        _owner_of[m.id] = m.user_id
        owner_ids.add(m.user_id)
    people = set(owner_ids)
    if rendering:
        people.update(t[0] for m in rows.values() for t in m.people)  # users_in_photo
        for media_id, preview in found[1].items():
            _people_of[media_id] = (*preview.likers, *(c[1] for c in preview.comments))
            people.update(_people_of[media_id])
    known: dict[int, User] = found[-1]
    rest = [users.batch(people - known.keys())]  # asks nothing when the guess was right
    if rendering:
        rest.append(places.batch([m.location_id for m in rows.values() if m.location_id]))
    known.update(objcache.fetch(*rest)[0])
    return rows, {uid: known[uid] for uid in owner_ids if uid in known}


def visible_page(
    viewer_id: int | None, fetch: Callable[[int | None, int], list[int]], before: int | None,
    count: int, keep: Callable[[Media], bool] | None = None,
) -> tuple[list[Media], int | None]:  # fmt: skip
    """One page of media IDs (newest first, from `fetch(before, limit)`) the viewer may see, and
    the cursor of the next page (None on the last). Hidden items are skipped, never counted;
    so are those `keep` refuses (the home feed's muted people)."""
    page: list[Media] = []
    while True:
        want = count - len(page) + 1  # one more than needed tells whether there is a next page
        found = fetch(before, want)
        shown = visible_many(viewer_id, found)
        page += shown if keep is None else [m for m in shown if keep(m)]
        if len(page) > count:
            return page[:count], page[count - 1].id
        if len(found) < want:
            return page, None
        before = found[-1]
