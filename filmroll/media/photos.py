"""Photos: posting, reading and deleting. The media row lives on its owner's logical shard."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from filmroll import objcache
from filmroll.accounts import counts, users
from filmroll.accounts.models import User
from filmroll.errors import Forbidden, Invalid, NotFound
from filmroll.graph import visibility
from filmroll.media import cache, pipeline, storage
from filmroll.media.rows import Media
from filmroll.sharding import db, ids
from filmroll.tasks.registry import enqueue

MAX_CAPTION = 2200
COLUMNS = (
    "user_id, caption, filter, location_id, latitude, longitude, images, blurhash, likes, comments"
)


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


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


def check_point(lat: Any, lng: Any) -> tuple[float, float]:
    try:
        latitude, longitude = float(lat), float(lng)
    except (TypeError, ValueError):
        raise Invalid("lat and lng must be numbers") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise Invalid("lat and lng must be finite numbers")
    if not -90 <= latitude <= 90:
        raise Invalid("lat must be between -90 and 90")
    if not -180 <= longitude <= 180:
        raise Invalid("lng must be between -180 and 180")
    return latitude, longitude


def create_place(creator_id: int, place: Place) -> int:
    return db.insert(
        ids.shard_of(creator_id),
        "locations",
        {"name": place.name, "latitude": place.latitude, "longitude": place.longitude},
    )


def places(location_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Location objects by ID, through the object cache."""

    def load(missing: list[int]) -> dict[int, dict[str, Any]]:
        rows = db.fetch_by_keys("locations", missing, "name, latitude, longitude")
        return {
            lid: {"id": str(lid), "name": r[0], "latitude": r[1], "longitude": r[2]}
            for lid, r in rows.items()
        }

    return objcache.get_many("place", location_ids, load)


def _resolve_location(
    lat: Any, lng: Any, location_id: Any
) -> tuple[int | None, float | None, float | None]:
    if location_id not in (None, ""):
        try:
            place_id = ids.parse(location_id)
        except ValueError:
            raise Invalid("location_id is not a location") from None
        found = places([place_id]).get(place_id)
        if found is None:
            raise Invalid("location_id is not a location")
        return place_id, found["latitude"], found["longitude"]
    if lat in (None, "") and lng in (None, ""):
        return None, None, None
    if lat in (None, "") or lng in (None, ""):
        raise Invalid("give both lat and lng, or neither")
    return (None, *check_point(lat, lng))


def publish(user_id: int, rendered: pipeline.Rendered, filter_name: str, caption: str = "",
            location: tuple[int | None, float | None, float | None] = (None, None, None)) -> int:  # fmt: skip
    """Store a rendered photo's sizes, then record it: the new media ID. Files are durable
    before the row exists, so a row never points at a missing file."""
    stored = {
        name: {"key": storage.save(data, "jpg"), "width": width, "height": height}
        for name, (data, width, height) in rendered.sizes.items()
    }
    shard = ids.shard_of(user_id)
    location_id, latitude, longitude = location
    try:
        with db.atomic(shard):
            media_id = db.insert(
                shard,
                "media",
                {
                    "user_id": user_id,
                    "caption": caption,
                    "filter": filter_name,
                    "location_id": location_id,
                    "latitude": latitude,
                    "longitude": longitude,
                    "images": json.dumps(stored),
                    "blurhash": rendered.blurhash,
                },
            )
            counts.bump(user_id, "media", 1)
    except Exception:
        enqueue("media.delete_files", [size["key"] for size in stored.values()])
        raise
    enqueue("feeds.fan_out", media_id)  # after the shard's commit, so the task finds the row
    return media_id


def post(user: User, data: bytes, caption: Any = "", filter_name: Any = "normal",
         lat: Any = None, lng: Any = None, location_id: Any = None) -> int:  # fmt: skip
    """Check everything cheap first, then decode and render, then store."""
    caption = check_caption(caption)
    filter_name = filter_name or "normal"
    if not isinstance(filter_name, str):
        raise Invalid("filter must be a filter's name")
    location = _resolve_location(lat, lng, location_id)
    rendered = pipeline.process(data, filter_name)
    return publish(user.id, rendered, filter_name, caption, location)


def visible(viewer_id: int | None, raw_id: Any) -> tuple[Media, User]:
    """The media and its owner if the viewer may see it; NotFound, exactly as for a missing one,
    otherwise."""
    try:
        media_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such media") from None
    media = cache.get_many([media_id]).get(media_id)
    owner = User.objects.filter(id=media.user_id).first() if media else None
    if media is None or owner is None or not visibility.can_see(viewer_id, owner):
        raise NotFound("no such media")
    return dataclasses.replace(media, owner=owner), owner


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
    if gone:  # after the shard's commit: a task never sees a row still there
        cache.invalidate(media.id)
        enqueue("media.delete_files", [size["key"] for size in media.images.values()])
        enqueue("feeds.media_deleted", media.id, owner.id)


def visible_many(viewer_id: int | None, media_ids: list[int]) -> list[Media]:
    """The media the viewer may see, in the order given; others dropped as if missing. Each
    item carries its owner (`owner`), fetched once for the list."""
    rows = cache.get_many(media_ids)
    owners = users.cached({m.user_id for m in rows.values()})
    allowed = visibility.visible_owners(viewer_id, owners.values())
    return [
        dataclasses.replace(rows[m], owner=owners[rows[m].user_id])
        for m in media_ids
        if m in rows and rows[m].user_id in allowed
    ]
