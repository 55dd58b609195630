"""Places: a named point anyone can tag a photo with. The row lives on its creator's logical
shard (its ID routes there); the discovery index copies it for search by distance and name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from filmroll import objcache
from filmroll.errors import Invalid, NotFound
from filmroll.places import geo
from filmroll.sharding import db, ids
from filmroll.tasks.dispatch import enqueue

MAX_NAME = 100
MAX_ADDRESS = 200


@dataclass(frozen=True)
class Place:
    """A place as given, and as its `locations` row holds it (with its ID)."""

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
    place_id = db.insert(ids.shard_of(creator_id), "locations", dataclasses.asdict(place))
    enqueue("discovery.index_place", place_id)
    return place_id


def _load(missing: list[int]) -> dict[int, dict[str, Any]]:
    found = db.load_by_keys(Place, "locations", missing)
    return {
        pid: {"id": str(pid), "name": p.name, "latitude": p.latitude, "longitude": p.longitude,
              "street_address": p.address or ""}  # v1's name for it
        | ({"address": p.address} if p.address else {})
        for pid, p in found.items()
    }  # fmt: skip


def batch(place_ids: list[int]) -> objcache.Batch:
    """Location objects by ID, to fetch with other rows (objcache.fetch)."""
    return objcache.Batch("location", place_ids, _load)  # renamed from "place" with the shape


def get_many(place_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Location objects by ID, through the object cache."""
    return objcache.fetch(batch(place_ids))[0]


def get(raw_id: Any) -> dict[str, Any]:
    try:
        place_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such location") from None
    found = get_many([place_id]).get(place_id)
    if found is None:
        raise NotFound("no such location")
    return found
