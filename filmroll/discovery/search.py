"""Reads of the discovery index: tag pages, place pages, photos near a point, tag and place
search. The index only holds public photos, and every page still goes through the visibility
rule (photos.visible_many), so blocks and changes not yet indexed never show."""

from __future__ import annotations

import re
from typing import Any

from django.db import connections

from filmroll.discovery.geosql import distance_to, within
from filmroll.discovery.tables import ALIAS
from filmroll.errors import Invalid
from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.places import geo, places
from filmroll.sharding import ids
from filmroll.sharding.db import Keyset

TAG_NAME = re.compile(r"^\w{1,100}$")


def _rows(sql: str, params: list) -> list[tuple]:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(query: tuple[str, list]) -> list[int]:
    """The first column of what a query (SQL, parameters) finds."""
    return [row[0] for row in _rows(*query)]


def _prefix(text: str) -> str:
    """A LIKE pattern for names starting with `text`, its wildcards taken literally."""
    return re.sub(r"([\\%_])", r"\\\1", text) + "%"


def tag_name(raw: Any) -> str:
    name = str(raw or "").strip().lstrip("#").casefold()
    if not TAG_NAME.match(name):
        raise Invalid("a tag is 1 to 100 letters, digits or underscores")
    return name


def tag(raw: Any) -> dict:
    name = tag_name(raw)
    rows = _rows("SELECT media_count FROM tags WHERE name = %s", [name])
    return {"name": name, "media_count": rows[0][0] if rows else 0}


def tag_media(
    viewer_id: int | None, raw: Any, before: int | None, count: int
) -> tuple[list[Media], int | None]:
    name = tag_name(raw)

    def fetch(below: int | None, limit: int) -> list[int]:
        return _ids(
            Keyset("media_id", below, limit).apply(
                "SELECT media_id FROM tag_media WHERE tag = %s", [name]
            )
        )

    return photos.visible_page(viewer_id, fetch, before, count)


def search_tags(q: Any, count: int) -> list[dict]:
    """Tags starting with `q`, most used first."""
    prefix = str(q or "").strip().lstrip("#").casefold()
    if not any(not c.isspace() and c != "#" for c in prefix):  # as the API document says
        raise Invalid("q is required: the start of a tag's name")
    rows = _rows(
        "SELECT name, media_count FROM tags WHERE name LIKE %s ESCAPE '\\' AND media_count > 0"
        " ORDER BY media_count DESC, name LIMIT %s",
        [_prefix(prefix), count],
    )
    return [{"name": name, "media_count": n} for name, n in rows]


def location_media(
    viewer_id: int | None, location_id: int, before: int | None, count: int
) -> tuple[list[Media], int | None]:
    def fetch(below: int | None, limit: int) -> list[int]:
        return _ids(
            Keyset("media_id", below, limit).apply(
                "SELECT media_id FROM media_index WHERE location_id = %s", [location_id]
            )
        )

    return photos.visible_page(viewer_id, fetch, before, count)


def media_near(
    viewer_id: int | None, point: tuple[float, float], metres: float,
    window: tuple[int | None, int | None], before: int | None, count: int,
) -> tuple[list[Media], int | None]:  # fmt: skip
    """Public photos within `metres` of the point, newest first, taken (posted) within the
    window of Unix seconds (either end may be open)."""
    lat, lng = point
    near, near_params = within("media_index", lat, lng, metres)
    low, high = window
    bounds, bound_params = [], []
    if low is not None:
        bounds.append("media_id >= %s")
        bound_params.append(ids.lowest_id_at(low * 1000))
    if high is not None:
        bounds.append("media_id < %s")
        bound_params.append(ids.lowest_id_at((high + 1) * 1000))

    def fetch(below: int | None, limit: int) -> list[int]:
        return _ids(
            Keyset("media_id", below, limit).apply(
                f"SELECT media_id FROM media_index WHERE {' AND '.join([near, *bounds])}",
                [*near_params, *bound_params],
            )
        )

    return photos.visible_page(viewer_id, fetch, before, count)


def places_near(point: tuple[float, float], metres: float, count: int) -> list[dict]:
    """Places within `metres` of the point, nearest first."""
    lat, lng = point
    near, near_params = within("places", lat, lng, metres)
    far, far_params = distance_to("places", lat, lng)
    sql = f"SELECT id FROM places WHERE {near} ORDER BY {far}, id LIMIT %s"
    return _places(_ids((sql, [*near_params, *far_params, count])))


def places_named(q: Any, count: int) -> list[dict]:
    """Places whose name, or a word of it, starts with `q` (case-blind, any script)."""
    text = str(q or "").strip().casefold()
    if not text:
        raise Invalid("give lat and lng, or q: the start of a place's name")
    sql = (
        "SELECT id FROM places"
        " WHERE name_key LIKE %s ESCAPE '\\' OR name_key LIKE %s ESCAPE '\\'"
        " ORDER BY name_key, id LIMIT %s"
    )
    return _places(_ids((sql, [_prefix(text), "% " + _prefix(text), count])))


def _places(place_ids: list[int]) -> list[dict]:
    """The places the index found, in its order, each the location object `GET /locations/{id}`
    and media answer (the index holds no address), read in one multi-get through the object
    cache; one whose row is gone is left out, as `GET /locations/{id}` would not find it."""
    found = places.get_many(place_ids)
    return [found[place_id] for place_id in place_ids if place_id in found]


def point_and_distance(lat: Any, lng: Any, distance: Any) -> tuple[tuple[float, float], float]:
    if lat in (None, "") or lng in (None, ""):
        raise Invalid("lat and lng are required")
    return geo.check_point(lat, lng), geo.check_distance(distance)
