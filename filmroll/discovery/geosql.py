"""The geo SQL of the discovery index: PostGIS on PostgreSQL; on SQLite, R*Tree boxes and then
the exact distance on the sphere (sphere_distance, registered on each connection by
discovery/apps.py)."""

from __future__ import annotations

from filmroll.discovery.tables import postgres
from filmroll.places import geo


def within(table: str, lat: float, lng: float, metres: float) -> tuple[str, list]:
    """A WHERE clause (and its parameters) for rows of `table` (media_index or places) whose
    point lies within `metres` of the point on the sphere."""
    if postgres():
        return (
            f"ST_DWithin({table}.point, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, false)",
            [lng, lat, metres],
        )
    # SQLite: the R*Tree finds candidates in the bounding boxes (one subquery each, so each uses
    # the tree), then the exact distance decides.
    rtree, key = {"media_index": ("media_geo", "media_id"), "places": ("places_geo", "id")}[table]
    parts, params = [], []
    for min_lat, max_lat, min_lng, max_lng in geo.boxes(lat, lng, metres):
        parts.append(
            f"SELECT id FROM {rtree} WHERE max_lat >= %s AND min_lat <= %s"
            " AND max_lng >= %s AND min_lng <= %s"
        )
        params += [min_lat, max_lat, min_lng, max_lng]
    return (
        f"{table}.{key} IN ({' UNION ALL '.join(parts)})"
        f" AND sphere_distance({table}.latitude, {table}.longitude, %s, %s) <= %s",
        [*params, lat, lng, metres],
    )


def distance_to(table: str, lat: float, lng: float) -> tuple[str, list]:
    """An expression (and parameters) for the distance in metres from a row of `table` to the point."""
    if postgres():
        return (
            f"ST_Distance({table}.point, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, false)",
            [lng, lat],
        )
    return f"sphere_distance({table}.latitude, {table}.longitude, %s, %s)", [lat, lng]
