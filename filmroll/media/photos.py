"""Posting a photo: the sizes every client needs, stored, and the media row on the owner's shard."""

from __future__ import annotations

import json
from dataclasses import dataclass

from PIL import Image, ImageOps

from filmroll.accounts import counts
from filmroll.media import images, storage
from filmroll.sharding import db, ids

# name -> (width, square crop?)
SIZES = {
    "thumbnail": (150, True),
    "low_resolution": (320, False),
    "standard_resolution": (640, False),
    "high_resolution": (1080, False),
}


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


def render_sizes(image: Image.Image) -> dict[str, tuple[bytes, int, int]]:
    """JPEG bytes, width and height of each size; never wider than the original."""
    result = {}
    for name, (width, square) in SIZES.items():
        if square:
            sized = ImageOps.fit(image, (width, width), Image.Resampling.LANCZOS)
        else:
            width = min(width, image.width)
            height = max(1, round(image.height * width / image.width))
            sized = (
                image
                if width == image.width
                else image.resize((width, height), Image.Resampling.LANCZOS)
            )
        result[name] = (images.jpeg_bytes(sized), sized.width, sized.height)
    return result


def create_place(creator_id: int, place: Place) -> int:
    return db.insert(
        ids.shard_of(creator_id),
        "locations",
        {"name": place.name, "latitude": place.latitude, "longitude": place.longitude},
    )


def post(
    user_id: int, image: Image.Image, caption: str = "", location_id: int | None = None
) -> int:
    """Store the sizes of an already decoded photo and record it; the new media ID."""
    stored = {
        name: {"key": storage.save(data, "jpg"), "width": width, "height": height}
        for name, (data, width, height) in render_sizes(image).items()
    }
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        media_id = db.insert(
            shard,
            "media",
            {
                "user_id": user_id,
                "caption": caption,
                "location_id": location_id,
                "images": json.dumps(stored),
            },
        )
        counts.bump(user_id, "media", 1)
    return media_id
