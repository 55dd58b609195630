"""Decoding untrusted image bytes safely and writing clean files with no metadata."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from filmroll.errors import Invalid, TooLarge

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")


def open_image(data: bytes) -> Image.Image:
    """Decoded RGB pixels, upright, from bytes of an allowed format; Invalid/TooLarge otherwise.

    The type comes from the bytes alone, and the size is checked from the header before any
    pixel is decoded.
    """
    config = settings.FILMROLL
    if len(data) > config.max_upload_bytes:
        raise TooLarge(f"the image is over {config.max_upload_bytes // (1024 * 1024)} MB")
    if not data:
        raise Invalid("the image is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > config.max_pixels:
                raise Invalid(
                    f"the image is {width}x{height} pixels, over the limit of"
                    f" {config.max_pixels // 1_000_000} megapixels"
                )
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("the file is not a JPEG, PNG or WebP image") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Invalid(f"the image is corrupt or truncated ({error})") from None
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        image = (
            image.convert("RGBA").convert("RGB")
            if "A" in image.getbands()
            else image.convert("RGB")
        )
    return image


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    """A progressive JPEG with no metadata at all (no EXIF, so no GPS position)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, progressive=True, optimize=True)
    return out.getvalue()


def avatar(data: bytes, size: int = 320) -> bytes:
    """A square, centre-cropped profile picture as clean JPEG bytes."""
    image = open_image(data)
    return jpeg_bytes(ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS))
