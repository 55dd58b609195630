"""Clustering points on a map by zoom: a grid over the Web Mercator plane that map libraries
draw (Leaflet's, OpenStreetMap's tiles), CELLS_PER_TILE cells across each 256-pixel tile, so a
cluster covers about 64 pixels at the zoom asked for wherever it is on the map. The cell of a
point at a zoom is plain arithmetic, so the clusters of a box are the same whoever asks and
whichever part of the map they look at: panning never splits or merges a cluster.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from filmroll.errors import Invalid

MAX_ZOOM = 20
CELLS_PER_TILE = 4
MERCATOR_MAX_LAT = 85.0511287798  # where the square Web Mercator map ends, north and south
# what the API documents (api/openapi.py says the same): plain decimals, no exponents or spaces
NUMBER = r"-?[0-9]{1,3}(?:\.[0-9]{1,17})?"
BOX = re.compile(rf"^({NUMBER}),({NUMBER}),({NUMBER}),({NUMBER})$")
ZOOM = re.compile(r"^[0-9]{1,2}$")


@dataclass(frozen=True)
class Box:
    """A bounding box in degrees. `west` > `east` when it crosses the ±180° meridian."""

    west: float
    south: float
    east: float
    north: float

    def holds(self, lat: float, lng: float) -> bool:
        if not self.south <= lat <= self.north:
            return False
        if self.west <= self.east:
            return self.west <= lng <= self.east
        return lng >= self.west or lng <= self.east


WORLD = Box(-180.0, -90.0, 180.0, 90.0)


@dataclass(frozen=True)
class Point:
    id: int
    lat: float
    lng: float


@dataclass
class Cluster:
    """The points of one cell, newest (highest ID) first."""

    points: list[Point] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def lat(self) -> float:
        return sum(p.lat for p in self.points) / len(self.points)

    @property
    def lng(self) -> float:
        return sum(p.lng for p in self.points) / len(self.points)

    @property
    def box(self) -> Box:
        """The smallest box holding the points: within the cell, so it holds no other
        cluster's points and can name the cluster's photos."""
        lats, lngs = [p.lat for p in self.points], [p.lng for p in self.points]
        return Box(min(lngs), min(lats), max(lngs), max(lats))


def parse_box(raw: Any) -> Box:
    """`minLng,minLat,maxLng,maxLat` (GeoJSON's order) in decimal degrees; the whole world when
    not given. A west edge east of the east edge crosses the ±180° meridian."""
    if raw in (None, ""):
        return WORLD
    found = BOX.fullmatch(str(raw))  # fullmatch: `$` alone lets a final newline through
    if not found:
        raise Invalid("bbox must be four decimal numbers: minLng,minLat,maxLng,maxLat")
    west, south, east, north = (float(v) for v in found.groups())
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise Invalid("bbox longitudes must be between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise Invalid("bbox latitudes must be between -90 and 90")
    if south > north:
        raise Invalid("bbox minLat must not be above maxLat")
    return Box(west, south, east, north)


def parse_zoom(raw: Any) -> int:
    """A zoom level from 0 (the whole world in one tile) to MAX_ZOOM; 0 when not given."""
    if raw in (None, ""):
        return 0
    text = str(raw)
    if not ZOOM.fullmatch(text) or int(text) > MAX_ZOOM:
        raise Invalid(f"zoom must be a whole number from 0 to {MAX_ZOOM}")
    return int(text)


def cell(lat: float, lng: float, zoom: int) -> tuple[int, int]:
    """The grid cell (column, row) a point falls in at a zoom, on the Web Mercator plane."""
    across = CELLS_PER_TILE * 2**zoom
    x = (lng + 180) / 360
    clamped = math.radians(max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, lat)))
    y = (1 - math.log(math.tan(clamped) + 1 / math.cos(clamped)) / math.pi) / 2
    return min(int(x * across), across - 1), min(max(int(y * across), 0), across - 1)


def clusters(points: Iterable[Point], zoom: int) -> list[Cluster]:
    """The points grouped by cell at `zoom`, each newest first; the biggest cluster first."""
    cells: dict[tuple[int, int], Cluster] = {}
    for p in sorted(points, key=lambda p: p.id, reverse=True):
        cells.setdefault(cell(p.lat, p.lng, zoom), Cluster()).points.append(p)
    return sorted(cells.values(), key=lambda c: (-c.count, -c.points[0].id))
