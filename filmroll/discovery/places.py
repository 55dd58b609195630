"""Places: a named point anyone can tag a photo with. The row lives on its creator's logical
shard (its ID routes there); the discovery index copies it for search by distance and name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from filmroll import objcache
from filmroll.discovery import geo
from filmroll.errors import Invalid, NotFound
from filmroll.sharding import db, ids
from filmroll.tasks.registry import enqueue

MAX_NAME = 100
MAX_ADDRESS = 200


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    address: str = ""


def check(name: Any, lat: Any, lng: Any, address: Any = "") -> Place:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("name is required: the place's name")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Invalid(f"name must be at most {MAX_NAME} characters")
    if address is None:
        address = ""
    if not isinstance(address, str) or len(address) > MAX_ADDRESS:
        raise Invalid(f"address must be text of at most {MAX_ADDRESS} characters")
    if "\x00" in name + address:
        raise Invalid("name and address must not contain NUL characters")
    if lat in (None, "") or lng in (None, ""):
        raise Invalid("lat and lng are required")
    latitude, longitude = geo.check_point(lat, lng)
    return Place(name, latitude, longitude, address.strip())


def create(creator_id: int, place: Place) -> int:
    place_id = db.insert(
        ids.shard_of(creator_id),
        "locations",
        {
            "name": place.name,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "address": place.address,
        },
    )
    enqueue("discovery.index_place", place_id)
    return place_id


def get_many(place_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Location objects by ID, through the object cache."""

    def load(missing: list[int]) -> dict[int, dict[str, Any]]:
        rows = db.fetch_by_keys("locations", missing, "name, latitude, longitude, address")
        return {
            pid: {"id": str(pid), "name": r[0], "latitude": r[1], "longitude": r[2],
                  "street_address": r[3] or ""}  # v1's name for it
            | ({"address": r[3]} if r[3] else {})
            for pid, r in rows.items()
        }  # fmt: skip

    return objcache.get_many("location", place_ids, load)  # renamed from "place" with the shape


def get(raw_id: Any) -> dict[str, Any]:
    try:
        place_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such location") from None
    found = get_many([place_id]).get(place_id)
    if found is None:
        raise NotFound("no such location")
    return found
