"""Distances on the sphere and the boxes that bound a search circle.

The radius is PostGIS's sphere for WGS 84 ((2a + b) / 3), so the embedded index and the
PostGIS one agree on what lies within a distance.
"""

from __future__ import annotations

import math
from typing import Any

from filmroll.errors import Invalid

EARTH_RADIUS_M = 6_371_008.7714
DEFAULT_DISTANCE_M = 1000
MAX_DISTANCE_M = 5000


def distance(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine: exact enough at a metre and below)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def boxes(lat: float, lng: float, metres: float) -> list[tuple[float, float, float, float]]:
    """(min_lat, max_lat, min_lng, max_lng) boxes that together hold every point within
    `metres` of the point: one box, or two when the circle crosses the ±180° meridian, or a
    band of every longitude when it holds a pole."""
    angle = math.degrees(metres / EARTH_RADIUS_M)
    low, high = lat - angle, lat + angle
    if low <= -90 or high >= 90:
        return [(max(low, -90.0), min(high, 90.0), -180.0, 180.0)]
    # The widest longitude span of the circle, at the latitude where it touches its meridians.
    span = math.degrees(
        math.asin(min(1.0, math.sin(metres / EARTH_RADIUS_M) / math.cos(math.radians(lat))))
    )
    west, east = lng - span, lng + span
    if west < -180:
        return [(low, high, west + 360, 180.0), (low, high, -180.0, east)]
    if east > 180:
        return [(low, high, west, 180.0), (low, high, -180.0, east - 360)]
    return [(low, high, west, east)]


def check_point(lat: Any, lng: Any) -> tuple[float, float]:
    """A latitude and longitude from user input; Invalid saying which is wrong otherwise."""
    if isinstance(lat, bool) or isinstance(lng, bool):
        raise Invalid("lat and lng must be numbers")
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


def check_distance(raw: Any) -> float:
    """A search radius in metres: default 1,000, at most 5,000."""
    if raw in (None, ""):
        return DEFAULT_DISTANCE_M
    if isinstance(raw, bool):
        raise Invalid("distance must be a number of metres")
    try:
        metres = float(raw)
    except (TypeError, ValueError):
        raise Invalid("distance must be a number of metres") from None
    if not (math.isfinite(metres) and 0 < metres <= MAX_DISTANCE_M):
        raise Invalid(f"distance must be more than 0 and at most {MAX_DISTANCE_M} metres")
    return metres
