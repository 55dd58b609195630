"""Images the tests post, and what the photo storage holds."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings

from tests.support.personas import Api


def png_bytes(size: tuple[int, int] = (64, 48), exif_gps: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(
    size: tuple[int, int] = (1200, 900), orientation: int | None = None, gps: bool = False
) -> bytes:
    """A camera-like JPEG: baseline, textured, optionally with an EXIF orientation and GPS position."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 2, size[1] // 3), fill=(240, 200, 40))  # a marker, top-left
    draw.ellipse(
        (size[0] // 3, size[1] // 3, size[0] * 2 // 3, size[1] * 2 // 3), fill=(200, 40, 40)
    )
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def empty_store() -> None:
    """Remove every stored file: the cluster run's S3 bucket outlives each test (a local store
    is a new folder per test already)."""
    from filmroll.files import storage

    backend = storage.backend()
    if isinstance(backend, storage.S3):
        for key in stored_keys():
            backend.client.delete_object(Bucket=backend.bucket, Key=key)


def stored_keys() -> set[str]:
    """Every key in the configured photo storage."""
    from filmroll.files import storage

    backend = storage.backend()
    if isinstance(backend, storage.S3):
        pages = backend.client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}
    root = settings.MEDIA_ROOT
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def upload_album(api: Api, photos: list[bytes], **fields: Any):
    """POST /api/v1/media with the photos as image[] (an album)."""
    files = []
    for number, data in enumerate(photos, start=1):
        files.append(io.BytesIO(data))
        files[-1].name = f"photo{number}.jpg"
    return api.post("/api/v1/media", {"image[]": files, **fields})


def upload(api: Api, data: bytes, name: str = "photo.jpg", **fields: Any):
    file = io.BytesIO(data)
    file.name = name
    return api.post("/api/v1/media", {"image": file, **fields})
