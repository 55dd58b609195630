"""The upload pipeline: untrusted bytes in, the four sizes of a filtered photo and its blurhash out."""

from __future__ import annotations

from dataclasses import dataclass

import blurhash
from PIL import Image, ImageOps

from filmroll.errors import Invalid
from filmroll.files import images
from filmroll.media import filters

TALLEST = 4 / 5  # width/height kept between 4:5 portrait...
WIDEST = 1.91  # ...and 1.91:1 landscape
SIZES = {  # name -> width (a square for the thumbnail); never upscaled
    "thumbnail": 150,
    "low_resolution": 320,
    "standard_resolution": 640,
    "high_resolution": 1080,
}
LARGEST = max(SIZES.values())


@dataclass(frozen=True)
class Rendered:
    sizes: dict[str, tuple[bytes, int, int]]  # name -> (JPEG bytes, width, height)
    blurhash: str


def crop_to_aspect(image: Image.Image) -> Image.Image:
    """Centre-crop a photo taller than 4:5 or wider than 1.91:1 to that limit."""
    width, height = image.size
    if width / height < TALLEST:
        keep = round(width / TALLEST)
        top = (height - keep) // 2
        return image.crop((0, top, width, top + keep))
    if width / height > WIDEST:
        keep = round(height * WIDEST)
        left = (width - keep) // 2
        return image.crop((left, 0, left + keep, height))
    return image


def _width(image: Image.Image, width: int, resample: Image.Resampling) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), resample)


def render(image: Image.Image, filter_name: str) -> Rendered:
    """Crop, shrink to the largest size, filter once, then make each smaller size from the one
    above it (cheaper than from the original, and no visible difference)."""
    if filter_name not in filters.FILTERS:
        raise Invalid(f"no filter named {filter_name!r}; GET /api/v1/media/filters lists them")
    # Hamming for the one big reduction: as sharp as bicubic here at the cost of bilinear.
    largest = filters.apply(
        filter_name, _width(crop_to_aspect(image), LARGEST, Image.Resampling.HAMMING)
    )
    sized: dict[str, Image.Image] = {}
    above = largest
    for name, width in sorted(SIZES.items(), key=lambda item: -item[1]):
        if name == "thumbnail":
            side = min(width, above.width, above.height)
            sized[name] = ImageOps.fit(above, (side, side), Image.Resampling.BICUBIC)
        else:
            above = sized[name] = _width(above, width, Image.Resampling.BICUBIC)
    small = sized["thumbnail"].resize((32, 32), Image.Resampling.BILINEAR)
    return Rendered(
        sizes={
            name: (images.jpeg_bytes(sized[name]), sized[name].width, sized[name].height)
            for name in SIZES
        },
        blurhash=blurhash.encode(small, x_components=4, y_components=3),
    )


def process(data: bytes, filter_name: str) -> Rendered:
    """Validate and decode untrusted bytes, then render them."""
    if filter_name not in filters.FILTERS:  # before any decoding work
        raise Invalid(f"no filter named {filter_name!r}; GET /api/v1/media/filters lists them")
    # Decode big enough for a 1080-wide photo even after a crop to 4:5.
    return render(images.open_image(data, fit=(LARGEST, round(LARGEST / TALLEST))), filter_name)
