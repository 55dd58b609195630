"""Named photo filters. Each is a recipe of tone curves per channel, contrast, saturation,
warmth, fade, a centre glow, a (coloured) vignette, grain or black-and-white, applied with lookup
tables and Pillow's C operations (never per-pixel Python), and deterministic: the same photo always
comes out the same. Each also names its frame, drawn when the poster turns borders on (edits.py).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageChops

cv2.setNumThreads(1)  # a worker is one photo on one core: OpenCV's threads only add overhead

Curve = tuple[tuple[int, int], ...]
IDENTITY: Curve = ((0, 0), (255, 255))
RGB = tuple[int, int, int]
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)


@dataclass(frozen=True)
class Frame:
    """The border a filter draws when borders are on, over the photo's edge (its size stays)."""

    colour: RGB = WHITE
    width: float = 0.03  # of the shorter side
    style: str = "plain"  # "plain", "rounded" (rounded inner corners) or "film" (sprocket holes)


@dataclass(frozen=True)
class Filter:
    label: str
    red: Curve = IDENTITY
    green: Curve = IDENTITY
    blue: Curve = IDENTITY
    contrast: float = 1.0  # 1 keeps it; >1 steeper around mid-grey
    saturation: float = 1.0  # 0 is grey
    warmth: int = 0  # + pushes red up and blue down, - the reverse
    fade: int = 0  # lifts the blacks to this level
    vignette: float = 0.0  # 0..1: how dark the corners get
    grain: int = 0  # strength of film grain, 0..40
    mono: bool = False  # black and white
    tint: RGB = field(default=BLACK)  # added after mono, for toned prints
    glow: float = 0.0  # 0..1: how much the centre is lightened (screened) towards glow_colour
    glow_colour: RGB = WHITE
    vignette_colour: RGB = BLACK  # what the corners darken towards: black, or a burnt tone
    frame: Frame = Frame()


def _curve_lut(points: Curve) -> list[float]:
    """256 values through the control points, straight between them."""
    lut = []
    for x in range(256):
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if x0 <= x <= x1:
                y = y0 + (y1 - y0) * (x - x0) / max(1, x1 - x0)
                break
        else:
            y = points[-1][1]
        lut.append(y)
    return lut


def _clamp(value: float) -> int:
    return max(0, min(255, round(value)))


@functools.cache
def _lut(name: str) -> list[int]:
    """One 768-entry table for the filter's curves, contrast, warmth and fade together."""
    recipe = FILTERS[name]
    table = []
    for curve, shift in (
        (recipe.red, recipe.warmth),
        (recipe.green, 0),
        (recipe.blue, -recipe.warmth),
    ):
        lut = _curve_lut(curve)
        for x in range(256):
            y = (lut[x] - 128) * recipe.contrast + 128 + shift
            y = recipe.fade + y * (255 - recipe.fade) / 255
            table.append(_clamp(y))
    return table


@functools.lru_cache(maxsize=4)
def _radial(size: tuple[int, int]) -> Image.Image:
    """0 in the centre, 255 at the middle of each edge and beyond."""
    return Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)


@functools.lru_cache(maxsize=16)
def _vignette_mask(size: tuple[int, int], strength: float, colour: RGB = BLACK) -> Image.Image:
    """An RGB mask to multiply by: white in the centre, falling in the corners by `strength`
    towards `colour` (black darkens; a brown or purple one darkens and tints, as a burn)."""
    radial = _radial(size)
    return Image.merge(
        "RGB",
        [
            radial.point([_clamp(255 - strength * (255 - c) * (v / 255) ** 2) for v in range(256)])
            for c in colour
        ],
    )


@functools.lru_cache(maxsize=16)
def _glow_layer(size: tuple[int, int], strength: float, colour: RGB) -> Image.Image:
    """An RGB layer to screen over the photo: `colour` at `strength` in the centre, nothing at
    the edges, so the middle is lit as by a soft light."""
    radial = _radial(size)
    return Image.merge(
        "RGB",
        [
            radial.point([_clamp(strength * c * (1 - v / 255) ** 2) for v in range(256)])
            for c in colour
        ],
    )


@functools.cache
def _grain_tile(strength: int) -> Image.Image:
    """A fixed tile of noise around mid-grey, from a seeded generator: the same every time."""
    rng = random.Random(1839)
    side = 256
    data = bytes(_clamp(128 + rng.gauss(0, strength)) for _ in range(side * side))
    return Image.frombytes("L", (side, side), data)


@functools.lru_cache(maxsize=16)
def _grain(size: tuple[int, int], strength: int) -> Image.Image:
    """The tile repeated over `size`, as RGB; kept, since photos come in few sizes."""
    tile = _grain_tile(strength)
    layer = Image.new("L", size)
    for x in range(0, size[0], tile.width):
        for y in range(0, size[1], tile.height):
            layer.paste(tile, (x, y))
    return Image.merge("RGB", (layer, layer, layer))


def saturate(image: Image.Image, factor: float) -> Image.Image:
    """What ImageEnhance.Color(image).enhance(factor) gives (each pixel moved from its grey by
    `factor`, truncated), as one 3x3 colour matrix in OpenCV: half the CPU, both copies
    counted. Pillow rounds its grey to a whole number first: a few % of values differ by 1."""
    grey = np.array((0.299, 0.587, 0.114), np.float32)  # Pillow's "L" weights
    matrix = np.hstack(
        (
            (1 - factor) * np.tile(grey, (3, 1)) + factor * np.eye(3, dtype=np.float32),
            np.full((3, 1), -0.4999, np.float32),  # rounding made truncation, as Pillow's blend
        )
    )
    return Image.fromarray(cv2.transform(np.asarray(image), matrix))


def apply(name: str, image: Image.Image) -> Image.Image:
    """The photo under the named filter (RGB in, RGB out)."""
    recipe = FILTERS[name]
    if name == "normal":
        return image
    if recipe.saturation != 1.0 and not recipe.mono:
        image = saturate(image, recipe.saturation)
    if recipe.mono:
        image = image.convert("L").convert("RGB")
    image = image.point(_lut(name))
    if any(recipe.tint):
        image = ImageChops.add(image, Image.new("RGB", image.size, recipe.tint))
    if recipe.glow:
        image = ImageChops.screen(image, _glow_layer(image.size, recipe.glow, recipe.glow_colour))
    if recipe.vignette:
        mask = _vignette_mask(image.size, recipe.vignette, recipe.vignette_colour)
        image = ImageChops.multiply(image, mask)
    if recipe.grain:
        image = ImageChops.overlay(image, _grain(image.size, recipe.grain))
    return image


# Frames as the 2012 app drew them, roughly: thin black rounded ones, white prints, film edges.
THIN_WHITE = Frame(WHITE, 0.03)
BLACK_ROUNDED = Frame(BLACK, 0.04, "rounded")
BLACK_FILM = Frame((12, 10, 8), 0.06, "film")
WHITE_ROUNDED = Frame((246, 242, 232), 0.05, "rounded")
FILTERS: dict[str, Filter] = {
    "normal": Filter("Normal", frame=THIN_WHITE),
    "clarendon": Filter("Clarendon", blue=((0, 20), (128, 140), (255, 255)), contrast=1.2, saturation=1.35, frame=THIN_WHITE),
    "gingham": Filter("Gingham", contrast=0.9, saturation=0.85, fade=40, warmth=-4, frame=THIN_WHITE),
    "juno": Filter("Juno", red=((0, 0), (128, 140), (255, 255)), contrast=1.15, saturation=1.3, warmth=8, frame=THIN_WHITE),
    "lark": Filter("Lark", green=((0, 10), (128, 140), (255, 255)), contrast=0.95, saturation=0.8, fade=20, warmth=-6, frame=THIN_WHITE),
    "reyes": Filter("Reyes", contrast=0.85, saturation=0.75, fade=60, warmth=10, frame=THIN_WHITE),
    "moon": Filter("Moon", mono=True, contrast=1.15, fade=25, vignette=0.25, frame=Frame(BLACK, 0.03)),
    "valencia": Filter("Valencia", red=((0, 20), (128, 140), (255, 250)), contrast=1.08, saturation=1.1, warmth=14, fade=15, frame=Frame(BLACK, 0.03)),
    "nashville": Filter("Nashville", red=((0, 30), (255, 250)), blue=((0, 60), (255, 220)), contrast=1.1, saturation=1.2, fade=10, frame=Frame((250, 246, 238), 0.06, "film")),
    "earlybird": Filter("Earlybird", red=((0, 25), (255, 245)), contrast=0.95, saturation=0.7, warmth=18, vignette=0.45, fade=20, frame=WHITE_ROUNDED),
    "xpro2": Filter("X-Pro II", red=((0, 0), (64, 50), (192, 210), (255, 255)), blue=((0, 40), (255, 215)), contrast=1.3, saturation=1.3, vignette=0.5, frame=BLACK_ROUNDED),
    "lofi": Filter("Lo-fi", contrast=1.45, saturation=1.4, vignette=0.35, frame=Frame(BLACK, 0.05, "rounded")),
    "inkwell": Filter("Inkwell", mono=True, contrast=1.3, grain=12, frame=Frame(WHITE, 0.04)),
    "hudson": Filter("Hudson", blue=((0, 30), (128, 150), (255, 255)), contrast=1.1, warmth=-14, vignette=0.3, frame=Frame(BLACK, 0.03, "rounded")),
    "willow": Filter("Willow", mono=True, contrast=0.9, fade=35, tint=(12, 8, 0), frame=Frame(WHITE, 0.05)),
    "ludwig": Filter("Ludwig", red=((0, 0), (128, 136), (255, 250)), contrast=1.05, saturation=0.9, grain=8, vignette=0.15, frame=THIN_WHITE),
    # 2012-13's others. Amaro: more light, most in the centre, a cool lift in the shadows.
    "amaro": Filter("Amaro", green=((0, 12), (128, 140), (255, 255)), blue=((0, 40), (128, 146), (255, 240)), contrast=0.95, saturation=1.25, fade=12, glow=0.3, vignette=0.2, frame=BLACK_ROUNDED),
    # Rise: a soft, warm glow, as of early sun through a window.
    "rise": Filter("Rise", red=((0, 20), (128, 144), (255, 255)), contrast=0.88, saturation=0.9, warmth=8, fade=22, glow=0.22, glow_colour=(255, 214, 170), frame=WHITE_ROUNDED),
    # Sierra: faded and warm, the corners browned.
    "sierra": Filter("Sierra", red=((0, 10), (128, 138), (255, 245)), contrast=0.85, saturation=0.85, warmth=8, fade=48, vignette=0.35, vignette_colour=(96, 58, 34), frame=Frame((24, 20, 16), 0.04)),
    # Sutro: dark, purple and brown, desaturated, with burnt edges.
    "sutro": Filter("Sutro", red=((0, 10), (128, 120), (255, 236)), green=((0, 0), (128, 104), (255, 222)), blue=((0, 16), (128, 116), (255, 220)), contrast=1.12, saturation=0.6, vignette=0.65, vignette_colour=(72, 28, 62), frame=BLACK_FILM),
    # Toaster: hot, an orange-pink centre with burnt, darkened corners.
    "toaster": Filter("Toaster", red=((0, 30), (128, 150), (255, 255)), blue=((0, 0), (128, 110), (255, 220)), contrast=1.25, saturation=1.1, warmth=12, glow=0.35, glow_colour=(255, 140, 90), vignette=0.6, vignette_colour=(96, 30, 20), frame=WHITE_ROUNDED),
    # Brannan: metallic, low saturation, high contrast, a faint green-yellow in the greys.
    "brannan": Filter("Brannan", red=((0, 36), (128, 130), (255, 250)), green=((0, 20), (128, 132), (255, 240)), blue=((0, 30), (128, 116), (255, 220)), contrast=1.38, saturation=0.42, frame=BLACK_FILM),
    # Walden: washed out, yellow, bright.
    "walden": Filter("Walden", red=((0, 20), (128, 150), (255, 255)), green=((0, 16), (128, 146), (255, 250)), blue=((0, 60), (128, 120), (255, 196)), contrast=0.9, saturation=1.1, fade=30, vignette=0.12, frame=Frame(WHITE, 0.05)),
    # Hefe: warm, high contrast and saturation, strong dark corners.
    "hefe": Filter("Hefe", red=((0, 0), (128, 136), (255, 255)), contrast=1.35, saturation=1.35, warmth=10, vignette=0.5, frame=Frame(BLACK, 0.05)),
    # 1977: faded, pink, as a print of the year.
    "1977": Filter("1977", red=((0, 44), (128, 148), (255, 255)), green=((0, 20), (128, 122), (255, 230)), blue=((0, 40), (128, 130), (255, 232)), contrast=0.9, saturation=1.15, fade=24, frame=WHITE_ROUNDED),
    # Kelvin: strongly orange, hot light.
    "kelvin": Filter("Kelvin", red=((0, 40), (128, 176), (255, 255)), green=((0, 0), (128, 136), (255, 240)), blue=((0, 0), (128, 90), (255, 170)), contrast=1.1, saturation=1.4, warmth=16, frame=Frame(BLACK, 0.04)),
    # Mayfair: a warm pink light in the centre, the corners a little dark.
    "mayfair": Filter("Mayfair", red=((0, 8), (128, 136), (255, 255)), contrast=1.05, saturation=1.1, warmth=6, glow=0.22, glow_colour=(255, 196, 196), vignette=0.3, frame=Frame(BLACK, 0.03, "rounded")),
}  # fmt: skip
_SPELLINGS = {
    spelling.casefold(): name
    for name, recipe in FILTERS.items()
    for spelling in (name, recipe.label, recipe.label.replace(" ", ""))
}


def named(raw: str) -> str:
    """The filter's name for either spelling, its name ("xpro2") or the display name v1 used
    ("X-Pro II"), any case; what was given when it is neither (the pipeline refuses it)."""
    return _SPELLINGS.get(raw.strip().casefold(), raw)


def display_name(name: str) -> str:
    """What the API shows, as v1 did: "Valencia", "X-Pro II", "Normal"."""
    recipe = FILTERS.get(name)
    return recipe.label if recipe else name


def for_browser() -> dict[str, dict]:
    """Each filter as the upload page's script applies it to a small copy of the chosen photo,
    so the previews need no upload: the same tables, saturation, tint, glow, vignette and frame
    (no grain)."""
    return {
        name: {
            "lut": _lut(name) if name != "normal" else [],
            "saturation": recipe.saturation,
            "mono": recipe.mono,
            "tint": list(recipe.tint),
            "vignette": recipe.vignette,
            "vignette_colour": list(recipe.vignette_colour),
            "glow": recipe.glow,
            "glow_colour": list(recipe.glow_colour),
            "frame": {
                "colour": list(recipe.frame.colour),
                "width": recipe.frame.width,
                "style": recipe.frame.style,
            },
        }
        for name, recipe in FILTERS.items()
    }
