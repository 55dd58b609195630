"""The editing tools of the 2012-13 app, applied on the server in the upload pipeline: rotate,
crop, Lux, filter strength, tilt-shift and the filter's border. Plain functions on Pillow images,
all in Pillow's C operations and lookup tables (never per-pixel Python).

What a poster sends (`POST /api/v1/media` form fields, and the upload page's), all optional:

- `rotate`: 0, 90, 180 or 270, degrees clockwise, applied first.
- `crop`: of the rotated photo, either a ratio, `square` or `W:H` (`4:5`, `1.91:1`, `16:9`...,
  between 4:5 and 1.91:1), for the largest centred box of it; or a box `left,top,right,bottom`
  in fractions 0..1 of the width and height (`0.1,0,0.9,1`). A box outside the kept aspect range
  is centre-cropped to it, as every photo is. Empty or `original`: no crop.
- `lux`: true or false: one-tap auto contrast and exposure, before the filter.
- `filter_strength`: 0..100 (default 100): how much of the filter; 0 is the photo unfiltered.
- `tilt_shift`: `radial` or `linear` (focus in the middle), or a JSON object
  `{"mode": "radial"|"linear", "x": 0..1, "y": 0..1, "size": 0.05..1, "angle": -180..180}`:
  the focus centre (fractions of width and height), its diameter or band width (a fraction of
  the shorter side), and for a linear band its tilt in degrees (0 level, positive counter-
  clockwise). Outside the focus the photo is blurred, gradually.
- `border`: true or false: the filter's own frame (filters.Frame), drawn over the edge.

Order, as the app did it: rotate, crop (then the pipeline's aspect limit and resize), Lux,
the filter at its strength, tilt-shift, border.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from filmroll.errors import Invalid
from filmroll.media import filters

TALLEST = 4 / 5  # width/height a photo keeps: between 4:5 portrait...
WIDEST = 1.91  # ...and 1.91:1 landscape (the pipeline centre-crops to this range)
ROTATIONS = {  # clockwise degrees -> Pillow's transpose (whose ROTATE_n turn anticlockwise)
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}
FIELDS = ("rotate", "crop", "lux", "filter_strength", "tilt_shift", "border")  # form fields
BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TiltShift:
    mode: str  # "radial" or "linear"
    x: float = 0.5  # the focus centre, fractions of the width and height
    y: float = 0.5
    size: float = 0.35  # diameter (radial) or band width (linear), fraction of the shorter side
    angle: float = 0.0  # linear only: degrees, 0 a level band, positive anticlockwise


@dataclass(frozen=True)
class Edits:
    rotate: int = 0
    crop: float | Box | None = None  # a width/height ratio, or a fractional box
    lux: bool = False
    strength: int = 100
    tilt_shift: TiltShift | None = None
    border: bool = False


NONE = Edits()


# --- reading the parameters ---------------------------------------------------------------


def _flag(name: str, raw: Any) -> bool:
    """A JSON boolean, or in a form one of the exact words in BOOLEANS (the API document's)."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw in BOOLEANS:
        return BOOLEANS[raw]
    raise Invalid(f"{name} must be true or false")


def _integer(name: str, raw: Any) -> int | None:
    """None when not given; a whole number in digits (an empty field is no number)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise Invalid(f"{name} must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"-?[0-9]{1,6}", raw):
        return int(raw)
    raise Invalid(f"{name} must be a whole number")


def _number(name: str, raw: Any, low: float, high: float) -> float:
    if isinstance(raw, bool):
        raise Invalid(f"{name} must be a number")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise Invalid(f"{name} must be a number") from None
    if not (low <= value <= high):  # NaN fails this too
        raise Invalid(f"{name} must be between {low:g} and {high:g}")
    return value


def parse_crop(raw: Any) -> float | Box | None:
    """`square`, `W:H` or `left,top,right,bottom` (see the module's notes); None for no crop."""
    if raw in (None, "") or (isinstance(raw, str) and raw.strip().lower() == "original"):
        return None
    if isinstance(raw, list | tuple):
        raw = ",".join(str(v) for v in raw)
    if not isinstance(raw, str):
        raise Invalid("crop must be square, a ratio W:H or a box left,top,right,bottom")
    text = raw.strip().lower()
    if text == "square":
        return 1.0
    ratio = re.fullmatch(r"([0-9]{1,4}(?:\.[0-9]{1,3})?):([0-9]{1,4}(?:\.[0-9]{1,3})?)", text)
    if ratio:
        wide, high = float(ratio[1]), float(ratio[2])
        if not wide or not high or not (TALLEST - 1e-3 <= wide / high <= WIDEST + 1e-3):
            raise Invalid("crop ratio must be between 4:5 and 1.91:1")
        return wide / high
    parts = text.split(",")
    if len(parts) != 4:
        raise Invalid("crop must be square, a ratio W:H or a box left,top,right,bottom")
    left, top, right, bottom = (_number("crop", p, 0, 1) for p in parts)
    if right - left < 0.05 or bottom - top < 0.05:
        raise Invalid("crop box needs left < right and top < bottom, 0.05 apart or more")
    return (left, top, right, bottom)


def parse_tilt_shift(raw: Any) -> TiltShift | None:
    """`radial`, `linear`, or a JSON object (text, or already parsed) with `mode` and any of
    `x`, `y`, `size`, `angle`; None (off) for empty, `none` or `off`."""
    if raw in (None, "") or (isinstance(raw, str) and raw.strip().lower() in ("none", "off")):
        return None
    if isinstance(raw, str) and raw.strip().lower() in ("radial", "linear"):
        return TiltShift(raw.strip().lower())
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise Invalid(
                'tilt_shift must be radial, linear or a JSON object {"mode": ...}'
            ) from None
    if not isinstance(raw, dict):
        raise Invalid('tilt_shift must be radial, linear or a JSON object {"mode": ...}')
    unknown = set(raw) - {"mode", "x", "y", "size", "angle"}
    if unknown:
        raise Invalid(f"tilt_shift has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    mode = raw.get("mode")
    if mode not in ("radial", "linear"):
        raise Invalid("tilt_shift.mode must be radial or linear")
    given = {k: v for k, v in raw.items() if v is not None}
    return TiltShift(
        mode,
        x=_number("tilt_shift.x", given.get("x", 0.5), 0, 1),
        y=_number("tilt_shift.y", given.get("y", 0.5), 0, 1),
        size=_number("tilt_shift.size", given.get("size", 0.35), 0.05, 1),
        angle=_number("tilt_shift.angle", given.get("angle", 0), -180, 180),
    )


def parse(fields: Mapping[str, Any]) -> Edits:
    """The tools asked for, from the form fields `rotate`, `crop`, `lux`, `filter_strength`,
    `tilt_shift` and `border` (missing or empty ones are off); Invalid says which is wrong."""
    rotate = _integer("rotate", fields.get("rotate")) or 0
    if rotate not in (0, 90, 180, 270):
        raise Invalid("rotate must be 0, 90, 180 or 270 (degrees clockwise)")
    strength = _integer("filter_strength", fields.get("filter_strength"))
    strength = 100 if strength is None else strength
    if not 0 <= strength <= 100:
        raise Invalid("filter_strength must be between 0 and 100")
    return Edits(
        rotate=rotate,
        crop=parse_crop(fields.get("crop")),
        lux=_flag("lux", fields.get("lux")),
        strength=strength,
        tilt_shift=parse_tilt_shift(fields.get("tilt_shift")),
        border=_flag("border", fields.get("border")),
    )


# --- rotate and crop: before the resize -----------------------------------------------------


def rotate(image: Image.Image, degrees: int) -> Image.Image:
    """Turned clockwise by 0, 90, 180 or 270 degrees (a transpose: lossless, fast)."""
    return image.transpose(ROTATIONS[degrees]) if degrees else image


def crop_box(width: int, height: int, crop: float | Box | None) -> tuple[int, int, int, int]:
    """The pixel box (left, top, right, bottom) the crop keeps of a width x height photo."""
    if crop is None:
        return (0, 0, width, height)
    if isinstance(crop, float):  # the largest centred box of this width/height ratio
        if width / height > crop:
            keep = max(1, round(height * crop))
            left = (width - keep) // 2
            return (left, 0, left + keep, height)
        keep = max(1, round(width / crop))
        top = (height - keep) // 2
        return (0, top, width, top + keep)
    x0, y0 = round(crop[0] * width), round(crop[1] * height)
    return (x0, y0, max(round(crop[2] * width), x0 + 1), max(round(crop[3] * height), y0 + 1))


def shape(width: int, height: int, edits: Edits) -> tuple[int, int]:
    """The size an upright width x height photo has after the rotation and the crop: what the
    decoder needs to cover (so a crop of a small part decodes that part at more detail)."""
    if edits.rotate in (90, 270):
        width, height = height, width
    left, top, right, bottom = crop_box(width, height, edits.crop)
    return right - left, bottom - top


def reshape(image: Image.Image, edits: Edits) -> Image.Image:
    """Rotated, then cropped."""
    image = rotate(image, edits.rotate)
    box = crop_box(*image.size, edits.crop)
    return image if box == (0, 0, *image.size) else image.crop(box)


# --- Lux, strength, tilt-shift, border: on the resized photo --------------------------------


def lux(image: Image.Image) -> Image.Image:
    """One-tap fix: stretch the tones so the darkest and lightest half-percent reach black and
    white (all channels by one table, so colours keep their hue), then a mild gamma moving the
    mean brightness halfway (in the exponent) towards a middle grey. One lookup table pass."""
    sample = image.reduce(4) if min(image.size) >= 256 else image  # the histogram's only reader
    histogram = sample.convert("L").histogram()
    total = sum(histogram)
    seen, low, high = 0, 0.0, 255.0
    for value, count in enumerate(histogram):
        seen += count
        if seen > total * 0.005:
            low = value
            break
    seen = 0
    for value in range(255, -1, -1):
        seen += histogram[value]
        if seen > total * 0.005:
            high = value
            break
    if high - low < 160:  # a flat photo: stretch it at most 1.6 times (noise stays noise)
        middle = (high + low) / 2
        low, high = max(0, middle - 80), min(255, middle + 80)

    def stretched(v: float) -> float:
        return min(1.0, max(0.0, (v - low) / (high - low)))

    mean = sum(count * stretched(v) for v, count in enumerate(histogram)) / max(1, total)
    exponent = 1.0
    if 0.02 < mean < 0.98:
        exponent = min(1.4, max(0.7, (math.log(0.46) / math.log(mean)) ** 0.5))
    table = [max(0, min(255, round(255 * stretched(v) ** exponent))) for v in range(256)]
    return image.point(table * 3)


def strength(original: Image.Image, filtered: Image.Image, amount: int) -> Image.Image:
    """`amount` percent of the filter: 0 the original, 100 the filtered photo."""
    if amount >= 100:
        return filtered
    if amount <= 0:
        return original
    return Image.blend(original, filtered, amount / 100)


# The radial gradient's value per pixel of distance from its centre (255 in its corners).
_RADIAL_UNIT = 255 / (128 * math.sqrt(2))


@functools.cache
def _distance_source(mode: str) -> Image.Image:
    """256x256, each value _RADIAL_UNIT per pixel of distance from the centre (radial) or from
    the middle row (linear)."""
    if mode == "radial":
        return Image.radial_gradient("L")
    return Image.linear_gradient("L").point(
        [min(255, round(abs(v - 128) * _RADIAL_UNIT)) for v in range(256)]
    )


def _smoothstep(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


@functools.lru_cache(maxsize=16)
def _focus_mask(size: tuple[int, int], spec: TiltShift) -> Image.Image:
    """L mask: 0 (sharp) inside the focus, rising smoothly to 255 (blurred) beyond it. A small
    distance gradient moved, turned and scaled onto the photo by one affine transform."""
    width, height = size
    shorter = min(size)
    inner = spec.size / 2 * shorter  # pixels from the focus centre (or line) kept sharp
    feather = max(0.12, spec.size / 2) * shorter  # over which the blur comes in
    scale = 120 / (inner + feather)  # source pixels per photo pixel: the ramp ends inside it
    cx, cy = spec.x * width, spec.y * height
    data: tuple[float, ...]
    if spec.mode == "radial":
        data = (scale, 0, 128 - scale * cx, 0, scale, 128 - scale * cy)
    else:  # y in the source = distance across the band; x held at the middle
        sin, cos = math.sin(math.radians(spec.angle)), math.cos(math.radians(spec.angle))
        data = (0, 0, 128, scale * sin, scale * cos, 128 - scale * (sin * cx + cos * cy))
    distance = _distance_source(spec.mode).transform(
        size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR, fillcolor=255
    )
    return distance.point(
        [round(255 * _smoothstep((v / _RADIAL_UNIT / scale - inner) / feather)) for v in range(256)]
    )


def tilt_shift(image: Image.Image, spec: TiltShift) -> Image.Image:
    """The photo blurred outside the focus, as with a tilted lens: blurred once and blended in
    by the focus mask. The blur is made at a quarter of the size and enlarged (a mean
    difference of 0.2 of 255 from blurring the whole, for a third of the work)."""
    radius = max(1.5, min(image.size) * 0.012)
    factor = 4 if min(image.size) >= 256 else 2 if min(image.size) >= 64 else 1
    small = image.reduce(factor) if factor > 1 else image
    blurred = small.filter(ImageFilter.GaussianBlur(radius / factor))
    if factor > 1:
        blurred = blurred.resize(image.size, Image.Resampling.BILINEAR)
    return Image.composite(blurred, image, _focus_mask(image.size, spec))


def _hole_colour(colour: filters.RGB) -> filters.RGB:
    """Sprocket holes light in a dark frame, dark in a light one."""
    return (40, 36, 32) if sum(colour) > 384 else (232, 228, 218)


@functools.lru_cache(maxsize=16)
def _frame_layers(size: tuple[int, int], frame: filters.Frame) -> tuple[Image.Image, Image.Image]:
    """The frame's colours (RGB) and where it covers the photo (L mask), drawn once per size."""
    width, height = size
    edge = max(1, round(frame.width * min(size)))
    mask = Image.new("L", size, 255)
    inner = (edge, edge, width - 1 - edge, height - 1 - edge)
    if frame.style == "rounded":
        ImageDraw.Draw(mask).rounded_rectangle(inner, radius=edge * 2, fill=0)
    else:
        ImageDraw.Draw(mask).rectangle(inner, fill=0)
    colours = Image.new("RGB", size, frame.colour)
    if frame.style == "film" and edge >= 4:  # sprocket holes along the top and bottom
        draw = ImageDraw.Draw(colours)
        hole_w, hole_h = max(2, round(edge * 0.6)), max(2, round(edge * 0.45))
        top = (edge - hole_h) // 2
        for x in range(edge, width - edge - hole_w, round(edge * 1.5)):
            for y in (top, height - edge + top):
                draw.rectangle(
                    (x, y, x + hole_w - 1, y + hole_h - 1), fill=_hole_colour(frame.colour)
                )
    return colours, mask


def border(image: Image.Image, frame: filters.Frame) -> Image.Image:
    """The frame drawn over the photo's edge; the photo keeps its size."""
    colours, mask = _frame_layers(image.size, frame)
    return Image.composite(colours, image, mask)


def look(image: Image.Image, filter_name: str, edits: Edits) -> Image.Image:
    """Lux, the filter at its strength, tilt-shift and the border, in that order (RGB in and
    out, the size kept)."""
    if edits.lux:
        image = lux(image)
    if edits.strength > 0:
        image = strength(image, filters.apply(filter_name, image), edits.strength)
    if edits.tilt_shift is not None:
        image = tilt_shift(image, edits.tilt_shift)
    if edits.border:
        image = border(image, filters.FILTERS[filter_name].frame)
    return image
