"""Decoding untrusted image bytes safely, and writing clean files with no metadata.

The type comes from the bytes alone, never the name or Content-Type. Size, pixel count and
type are checked from the header before any pixel is decoded, and JPEGs are decoded at a
reduced scale when that still covers the largest size we make.
"""

from __future__ import annotations

import io
import warnings

import pillow_heif
from django.conf import settings
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from filmroll.errors import Invalid

pillow_heif.register_heif_opener()

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
MIN_SIDE = 32
# Markup in the first bytes means a file made to be read as a page too (a polyglot).
MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype", b"<?xml", b"<body", b"<iframe")
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def sniff(data: bytes) -> str:
    """The format the bytes really are, from their signature; Invalid when not one we accept."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        kind = "JPEG"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "PNG"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "WEBP"
    elif head[4:8] == b"ftyp" and head[8:12] in {
        b"heic",
        b"heix",
        b"mif1",
        b"msf1",
        b"heim",
        b"heis",
    }:
        kind = "HEIF"
    else:
        raise Invalid("the file is not a JPEG, PNG, WebP or HEIC image")
    if any(tag in data[:2048].lower() for tag in MARKUP):
        raise Invalid("the file carries markup as well as an image; upload a plain photo")
    return kind


def open_image(data: bytes, fit: tuple[int, int] | None = None) -> Image.Image:
    """Upright sRGB pixels from untrusted bytes; Invalid, with the reason, otherwise.

    `fit`: the largest width and height the caller will make, so a JPEG can be decoded at 1/2,
    1/4 or 1/8 scale when that still covers it (a 12-megapixel frame is never held whole).
    """
    config = settings.FILMROLL
    if len(data) > config.max_upload_bytes:
        raise Invalid(
            f"the image is over the limit of {config.max_upload_bytes // (1024 * 1024)} MB"
        )
    if not data:
        raise Invalid("the image is empty")
    kind = sniff(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size
            if width * height > config.max_pixels:
                raise Invalid(
                    f"the image is {width}x{height} pixels, over the limit of"
                    f" {config.max_pixels // 1_000_000} megapixels"
                )
            if min(width, height) < MIN_SIDE:
                raise Invalid(
                    f"the image is {width}x{height} pixels; photos need {MIN_SIDE} or more each way"
                )
            if fit and kind == "JPEG":
                # Orientation may swap the sides: ask for enough both ways.
                side = max(fit)
                image.draft("RGB", (side, side))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("the file is not a JPEG, PNG, WebP or HEIC image") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise Invalid(f"the image is corrupt or truncated ({error})") from None
    icc = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)  # no copy when already upright
    return to_srgb(image, icc)


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB in the sRGB colour space (an embedded profile is applied; a broken one is ignored)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK", "P", "I;16", "I", "F"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))  # transparency on white, not black
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
            if converted is not None:  # None only when converting in place
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return image if image.mode == "RGB" else image.convert("RGB")


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    """A progressive JPEG with no metadata at all (no EXIF, so no GPS position; no ICC: sRGB)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, progressive=True, optimize=True, subsampling="4:2:0")
    return out.getvalue()


def avatar(data: bytes, size: int = 320) -> bytes:
    """A square, centre-cropped profile picture as clean JPEG bytes."""
    image = open_image(data, fit=(size, size))
    return jpeg_bytes(ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS))
