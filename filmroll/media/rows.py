"""Media rows as stored on the owner's logical shard."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from filmroll.media import shortcodes
from filmroll.sharding import db
from filmroll.sharding.rows import NOT_STORED, stored_as


@dataclass(frozen=True)
class Media:
    """A row of the `media` table (its columns are these fields)."""

    id: int
    user_id: int
    caption: str
    filter: str
    location_id: int | None
    latitude: float | None
    longitude: float | None
    images: dict[str, dict[str, Any]] = field(metadata=stored_as(json.loads))  # JSON text
    blurhash: str
    likes: int
    comments: int
    alt_text: str = ""  # what a screen reader says for the image (the caption when empty)
    # a content warning: the photo is shown blurred behind `spoiler_text` until asked for
    sensitive: bool = field(default=False, metadata=stored_as(bool))  # SQLite stores 0 or 1
    spoiler_text: str = ""
    # the people tagged in it, ((user_id, x, y), ...) in the order tagged (media/people.py)
    people: tuple[tuple[int, float, float], ...] = field(
        default=(), metadata=stored_as(lambda text: tuple(tuple(p) for p in json.loads(text)))
    )
    # the owner's User, when a read path has fetched it; never cached
    owner: Any = field(default=None, metadata=NOT_STORED)

    @property
    def shortcode(self) -> str:
        """The photo's name in /p/ URLs."""
        return shortcodes.encode(self.id)


def load_many(media_ids: list[int]) -> dict[int, Media]:
    """Media rows by ID from the shards, one query per physical database."""
    return db.load_by_keys(Media, "media", media_ids)
