"""A person's Photo Map: their geotagged photos in a box, read from the owner's shard, and
clustered by zoom (places/grid.py).

The shard's media rows are the truth and the only place that has every photo: the discovery
index (discovery/tables.py) holds public accounts' photos alone, and a private account's
followers see its map too. A person's photos are one index range on the shard (`media_by_user`)
and the box a filter on it, so a map read costs one query however many photos a person has
posted; the clusters are made in Python, a few microseconds a photo.

Who may see the map is the caller's question (`graph/visibility.can_see`, as for the person's
photo grid); the photos themselves still pass `photos.visible_many` before they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.places import grid
from filmroll.sharding import db, ids

# A cluster this small lists its photos' IDs (the API's `media_ids`); a bigger one is zoomed into
LISTED = 24


@dataclass(frozen=True)
class MapCluster:
    cluster: grid.Cluster
    cover: Media  # the newest photo of the cluster the viewer may see

    @property
    def media_ids(self) -> list[int] | None:
        if self.cluster.count > LISTED:
            return None
        return [p.id for p in self.cluster.points]


def _in_box(box: grid.Box) -> tuple[str, list[float]]:
    """The WHERE clause (and its parameters) for a media row's point in the box."""
    where = "latitude BETWEEN %s AND %s AND "
    if box.west <= box.east:
        return where + "longitude BETWEEN %s AND %s", [box.south, box.north, box.west, box.east]
    return where + "(longitude >= %s OR longitude <= %s)", [
        box.south,
        box.north,
        box.west,
        box.east,
    ]


def points(owner_id: int, box: grid.Box) -> list[grid.Point]:
    """The owner's photos that have a point, and the point, within the box."""
    where, params = _in_box(box)
    rows = db.fetchall(
        ids.shard_of(owner_id),
        "SELECT id, latitude, longitude FROM {media} WHERE user_id = %s"
        f" AND latitude IS NOT NULL AND longitude IS NOT NULL AND {where}",
        [owner_id, *params],
    )
    return [grid.Point(media_id, lat, lng) for media_id, lat, lng in rows]


def clusters(viewer_id: int | None, owner_id: int, box: grid.Box, zoom: int) -> list[MapCluster]:
    """The owner's geotagged photos in the box, clustered at `zoom`, each with its cover."""
    found = grid.clusters(points(owner_id, box), zoom)
    covers = {m.id: m for m in photos.visible_many(viewer_id, [c.points[0].id for c in found])}
    return [MapCluster(c, covers[c.points[0].id]) for c in found if c.points[0].id in covers]


def newest_in_box(owner_id: int, box: grid.Box, before: int | None, limit: int) -> list[int]:
    """A page of the owner's photos in the box, newest first below `before` (a cluster's
    photos: its box holds no other cluster's)."""
    where, params = _in_box(box)
    rows = db.page(
        ids.shard_of(owner_id),
        f"SELECT id FROM {{media}} WHERE user_id = %s AND {where}",
        [owner_id, *params],
        db.Keyset("id", before, limit),
    )
    return [row[0] for row in rows]
