"""Media rows as stored on the owner's logical shard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from filmroll.media import shortcodes
from filmroll.sharding import db

COLUMNS = (
    "user_id, caption, filter, location_id, latitude, longitude, images, blurhash, likes, comments"
)


@dataclass(frozen=True)
class Media:
    id: int
    user_id: int
    caption: str
    filter: str
    location_id: int | None
    latitude: float | None
    longitude: float | None
    images: dict[str, dict[str, Any]]
    blurhash: str
    likes: int
    comments: int
    owner: Any = None  # the owner's User, when a read path has fetched it; never cached

    @property
    def shortcode(self) -> str:
        """The photo's name in /p/ URLs."""
        return shortcodes.encode(self.id)

    @classmethod
    def from_row(cls, media_id: int, row: tuple) -> Media:
        user_id, caption, filter_name, location_id, lat, lng, images, blurhash, likes, comments = (
            row
        )
        return cls(
            media_id,
            user_id,
            caption,
            filter_name,
            location_id,
            lat,
            lng,
            json.loads(images),
            blurhash,
            likes,
            comments,
        )


def load_many(media_ids: list[int]) -> dict[int, Media]:
    """Media rows by ID from the shards, one query per physical database."""
    rows = db.fetch_by_keys("media", media_ids, COLUMNS)
    return {media_id: Media.from_row(media_id, row) for media_id, row in rows.items()}
