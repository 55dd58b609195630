"""Decoding untrusted image bytes safely, and writing clean files with no metadata.

The type comes from the bytes alone, never the name or Content-Type. Size, pixel count and
type are checked from the header before any pixel is decoded, and JPEGs are decoded at the
smallest libjpeg-turbo scale (M/8) that still covers the largest size the caller makes.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable

import pillow_heif
import simplejpeg
from django.conf import settings
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from filmroll.errors import Invalid

pillow_heif.register_heif_opener()

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
MIN_SIDE = 32
# Markup in the first bytes means a file made to be read as a page too (a polyglot).
MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype", b"<?xml", b"<body", b"<iframe")
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# What turns a stored frame upright, by EXIF orientation (as ImageOps.exif_transpose does).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# The least fraction of an upright width x height photo that a caller needs decoded (1: all).
Scale = Callable[[int, int], float]


def cover(width: int, height: int) -> Scale:
    """What a caller needs that centre-crops the photo to fill a width x height box."""
    return lambda w, h: max(width / w, height / h)


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


def open_image(data: bytes, fit: Scale | None = None) -> Image.Image:
    """Upright sRGB pixels from untrusted bytes; Invalid, with the reason, otherwise.

    `fit`: how much of the photo the caller needs (see `cover`), so that a JPEG is decoded at
    the smallest M/8 scale that still covers it: a 12-megapixel frame is never held whole.
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
            icc = image.info.get("icc_profile")
            orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
            upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
            scale = min(1.0, fit(*upright)) if fit else 1.0
            decoded = fast_jpeg(data, image, scale) if kind == "JPEG" else None
            if decoded is not None:
                image.close()
                if orientation in UPRIGHT:
                    decoded = decoded.transpose(UPRIGHT[orientation])
                return to_srgb(decoded, icc)
            if kind == "JPEG":  # Pillow's 1/2, 1/4 or 1/8 scales
                image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("the file is not a JPEG, PNG, WebP or HEIC image") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise Invalid(f"the image is corrupt or truncated ({error})") from None
    ImageOps.exif_transpose(image, in_place=True)  # no copy when already upright
    return to_srgb(image, icc)


def fast_jpeg(data: bytes, image: Image.Image, scale: float) -> Image.Image | None:
    """A YCbCr or grey JPEG through libjpeg-turbo at the smallest M/8 scale >= `scale`; None
    when Pillow should decode it instead (CMYK, or any warning at all: Pillow then gives its
    own verdict, refusing a truncated file and accepting what it accepted before)."""
    if image.mode not in ("RGB", "L"):
        return None
    width, height = image.size
    try:
        # Pixels are only ever allocated for the frame size Pillow read and the limits checked.
        if simplejpeg.decode_jpeg_header(data)[:2] != (height, width):
            return None
        pixels = simplejpeg.decode_jpeg(
            data,
            colorspace="GRAY" if image.mode == "L" else "RGB",
            min_width=math.ceil(width * scale),
            min_height=math.ceil(height * scale),
        )
    except ValueError:
        return None
    return Image.fromarray(pixels[:, :, 0] if image.mode == "L" else pixels)


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
    image = open_image(data, fit=cover(size, size))
    return jpeg_bytes(ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS))
