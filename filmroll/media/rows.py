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
    """A row of the `media` table (its columns are these fields). Never changed in place, the
    dicts in `images` and `carousel` included: a read may hand the same row to every request of
    the process (objcache's kept entries, multiget's decoded values); make a new one instead."""

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
    # an album's photos after the first (the row's own images, filter and alt text are the
    # cover's): ({"images", "filter", "alt_text", "blurhash"}, ...); () for a single photo
    carousel: tuple[dict[str, Any], ...] = field(
        default=(), metadata=stored_as(lambda text: tuple(json.loads(text)))
    )
    # the owner's User, when a read path has fetched it; never cached
    owner: Any = field(default=None, metadata=NOT_STORED)

    def with_owner(self, owner: Any) -> Media:
        """This row carrying its owner's User: a copy, as dataclasses.replace makes it, without
        running __init__ again (~5 us a row, 20 rows a feed page)."""
        copy = object.__new__(Media)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["owner"] = owner
        return copy

    @property
    def shortcode(self) -> str:
        """The photo's name in /p/ URLs."""
        return shortcodes.encode(self.id)

    @property
    def photos(self) -> list[dict[str, Any]]:
        """Every photo of the post, the cover first: one for a single photo."""
        cover = {"images": self.images, "filter": self.filter, "alt_text": self.alt_text,
                 "blurhash": self.blurhash}  # fmt: skip
        return [cover, *self.carousel]

    @property
    def file_keys(self) -> list[str]:
        """The storage keys of every size of every photo of the post."""
        return [size["key"] for photo in self.photos for size in photo["images"].values()]


def file_keys(images: str, carousel: str = "[]") -> list[str]:
    """The storage keys a media row names, from its `images` and `carousel` columns' text."""
    photos = [json.loads(images), *(photo["images"] for photo in json.loads(carousel))]
    return [size["key"] for sizes in photos for size in sizes.values()]


def load_many(media_ids: list[int]) -> dict[int, Media]:
    """Media rows by ID from the shards, one query per physical database."""
    return db.load_by_keys(Media, "media", media_ids)
