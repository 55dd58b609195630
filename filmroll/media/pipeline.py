"""The upload pipeline: untrusted bytes in, the four sizes of a filtered photo and its blurhash out."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import blurhash
import cv2
import numpy as np
from PIL import Image, ImageOps

from filmroll.errors import Invalid
from filmroll.files import images
from filmroll.media import edits, filters
from filmroll.media.edits import TALLEST, WIDEST  # the aspect range a photo keeps
from filmroll.once import once

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


def aspect_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The (left, top, right, bottom) a photo keeps: centred, no taller than 4:5 and no wider
    than 1.91:1."""
    if width / height < TALLEST:
        keep = round(width / TALLEST)
        top = (height - keep) // 2
        return (0, top, width, top + keep)
    if width / height > WIDEST:
        keep = round(height * WIDEST)
        left = (width - keep) // 2
        return (left, 0, left + keep, height)
    return (0, 0, width, height)


def crop_to_aspect(image: Image.Image) -> Image.Image:
    """Centre-crop a photo taller than 4:5 or wider than 1.91:1 to that limit."""
    box = aspect_box(*image.size)
    return image if box == (0, 0, *image.size) else image.crop(box)


def needed(width: int, height: int) -> float:
    """How much of an upright photo the largest size needs: LARGEST across what it keeps."""
    left, _, right, _ = aspect_box(width, height)
    return LARGEST / (right - left)


def _width(pixels: np.ndarray, width: int) -> np.ndarray:
    height, was = pixels.shape[:2]
    if was <= width:
        return pixels
    return _reduce(pixels, width, max(1, round(height * width / was)))


def _reduce(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """A reduction by 2x or less, vectorised in OpenCV. Under 2x (1500 to 1080, 1080 to 640):
    bicubic up to twice the size, then the 2x2 mean: ~60% of Pillow's bilinear CPU, and at 1080
    closer to a Lanczos reduction (53.5 vs 52.8 dB on photos, 31.7 vs 28.2 on fine lines).
    At 2x (640 to 320) the 2x2 mean alone. (OpenCV's area reduction off the half costs as much
    as Pillow's bilinear; its bilinear, ~8x cheaper, aliases: 21 dB on fine lines.)"""
    if pixels.shape[1] < 2 * width:
        pixels = cv2.resize(pixels, (2 * width, 2 * height), interpolation=cv2.INTER_CUBIC)
    return cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)


def shrink(image: Image.Image) -> Image.Image:
    """The one big reduction, to the largest size. A JPEG is decoded at the M/8 scale that
    leaves 2x or less; a bigger PNG, WebP or HEIC frame takes Pillow's bilinear, closer to
    Lanczos there than OpenCV's area reduction (30 vs 25 dB on fine lines, 3000 to 1080)."""
    if image.width <= LARGEST:
        return image
    if image.width > 2 * LARGEST:
        height = max(1, round(image.height * LARGEST / image.width))
        return image.resize((LARGEST, height), Image.Resampling.BILINEAR)
    return Image.fromarray(_width(np.asarray(image), LARGEST))


def smaller_sizes(largest: Image.Image) -> dict[str, Image.Image]:
    """Every size, each smaller one made from the one above it (cheaper than from the original,
    and no visible difference): one copy of the pixels into numpy, one out for each size. The
    thumbnail is Pillow's bicubic square from the 320 (closer to Lanczos than OpenCV's at 1.6x)."""
    sized = {"high_resolution": shrink(largest)}
    above = np.asarray(sized["high_resolution"])
    for name in ("standard_resolution", "low_resolution"):
        above = _width(above, SIZES[name])
        sized[name] = Image.fromarray(above)
    low = sized["low_resolution"]
    side = min(SIZES["thumbnail"], low.width, low.height)
    sized["thumbnail"] = ImageOps.fit(low, (side, side), Image.Resampling.BICUBIC)
    return sized


def render(image: Image.Image, filter_name: str, tools: edits.Edits = edits.NONE) -> Rendered:
    """Rotate and crop as asked, crop to the kept aspect, shrink to the largest size, then the
    look once (Lux, filter, tilt-shift, border: edits.look), then the smaller sizes."""
    if filter_name not in filters.FILTERS:
        raise Invalid(f"no filter named {filter_name!r}; GET /api/v1/media/filters lists them")
    image = edits.reshape(image, tools)
    if min(image.size) < images.MIN_SIDE:
        raise Invalid(
            f"the crop leaves {image.width}x{image.height} pixels; photos need"
            f" {images.MIN_SIDE} or more each way"
        )
    sized = smaller_sizes(edits.look(shrink(crop_to_aspect(image)), filter_name, tools))
    small = sized["thumbnail"].resize((32, 32), Image.Resampling.BILINEAR)
    return Rendered(
        sizes={
            name: (images.jpeg_bytes(sized[name]), sized[name].width, sized[name].height)
            for name in SIZES
        },
        blurhash=blurhash.encode(small, x_components=4, y_components=3),
    )


@once
def keep_freed_pixels() -> bool:
    """glibc gives every freed buffer between 128 KB and 32 MB back to the kernel at once, so each
    photo's dozen pixel buffers fault in afresh, page by page (~3,400 faults, ~8 ms of ~75).
    Buffers under 32 MB stay in the heap instead, and up to 128 MB of it free: the peak memory
    of a worker is the same, it only stays there. False where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(-3, 32 << 20) and libc.mallopt(-1, 128 << 20))  # MMAP, TRIM
    except (OSError, AttributeError):
        return False


def process(data: bytes, filter_name: str, tools: edits.Edits = edits.NONE) -> Rendered:
    """Validate and decode untrusted bytes, then render them with the editing tools asked for."""
    keep_freed_pixels()
    if filter_name not in filters.FILTERS:  # before any decoding work
        raise Invalid(f"no filter named {filter_name!r}; GET /api/v1/media/filters lists them")

    # Decoded just big enough for a 1080-wide photo after the rotation, the poster's crop and
    # the crop to the kept aspect.
    def fit(width: int, height: int) -> float:
        return needed(*edits.shape(width, height, tools))

    return render(images.open_image(data, fit=fit), filter_name, tools)
