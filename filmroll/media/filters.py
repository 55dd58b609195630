"""Named photo filters. Each is a recipe of tone curves per channel, contrast, saturation,
warmth, fade, vignette, grain or black-and-white, applied with lookup tables and Pillow's C
operations (never per-pixel Python), and deterministic: the same photo always comes out the same.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageEnhance

Curve = tuple[tuple[int, int], ...]
IDENTITY: Curve = ((0, 0), (255, 255))


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
    tint: tuple[int, int, int] = field(default=(0, 0, 0))  # added after mono, for toned prints


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


@functools.lru_cache(maxsize=16)
def _vignette_mask(size: tuple[int, int], strength: float) -> Image.Image:
    """An RGB mask, white in the centre falling to 255*(1-strength) in the corners."""
    radial = Image.radial_gradient("L").resize(
        size, Image.Resampling.BILINEAR
    )  # 0 centre, 255 edge
    mask = radial.point([_clamp(255 - strength * 255 * (v / 255) ** 2) for v in range(256)])
    return Image.merge("RGB", (mask, mask, mask))


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


def apply(name: str, image: Image.Image) -> Image.Image:
    """The photo under the named filter (RGB in, RGB out)."""
    recipe = FILTERS[name]
    if name == "normal":
        return image
    if recipe.saturation != 1.0 and not recipe.mono:
        image = ImageEnhance.Color(image).enhance(recipe.saturation)
    if recipe.mono:
        image = image.convert("L").convert("RGB")
    image = image.point(_lut(name))
    if any(recipe.tint):
        image = ImageChops.add(image, Image.new("RGB", image.size, recipe.tint))
    if recipe.vignette:
        image = ImageChops.multiply(image, _vignette_mask(image.size, recipe.vignette))
    if recipe.grain:
        image = ImageChops.overlay(image, _grain(image.size, recipe.grain))
    return image


FILTERS: dict[str, Filter] = {
    "normal": Filter("Normal"),
    "clarendon": Filter("Clarendon", blue=((0, 20), (128, 140), (255, 255)), contrast=1.2, saturation=1.35),
    "gingham": Filter("Gingham", contrast=0.9, saturation=0.85, fade=40, warmth=-4),
    "juno": Filter("Juno", red=((0, 0), (128, 140), (255, 255)), contrast=1.15, saturation=1.3, warmth=8),
    "lark": Filter("Lark", green=((0, 10), (128, 140), (255, 255)), contrast=0.95, saturation=0.8, fade=20, warmth=-6),
    "reyes": Filter("Reyes", contrast=0.85, saturation=0.75, fade=60, warmth=10),
    "moon": Filter("Moon", mono=True, contrast=1.15, fade=25, vignette=0.25),
    "valencia": Filter("Valencia", red=((0, 20), (128, 140), (255, 250)), contrast=1.08, saturation=1.1, warmth=14, fade=15),
    "nashville": Filter("Nashville", red=((0, 30), (255, 250)), blue=((0, 60), (255, 220)), contrast=1.1, saturation=1.2, fade=10),
    "earlybird": Filter("Earlybird", red=((0, 25), (255, 245)), contrast=0.95, saturation=0.7, warmth=18, vignette=0.45, fade=20),
    "xpro2": Filter("X-Pro II", red=((0, 0), (64, 50), (192, 210), (255, 255)), blue=((0, 40), (255, 215)), contrast=1.3, saturation=1.3, vignette=0.5),
    "lofi": Filter("Lo-fi", contrast=1.45, saturation=1.4, vignette=0.35),
    "inkwell": Filter("Inkwell", mono=True, contrast=1.3, grain=12),
    "hudson": Filter("Hudson", blue=((0, 30), (128, 150), (255, 255)), contrast=1.1, warmth=-14, vignette=0.3),
    "willow": Filter("Willow", mono=True, contrast=0.9, fade=35, tint=(12, 8, 0)),
    "ludwig": Filter("Ludwig", red=((0, 0), (128, 136), (255, 250)), contrast=1.05, saturation=0.9, grain=8, vignette=0.15),
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
    so the previews need no upload: the same tables, saturation, tint and vignette (no grain)."""
    return {
        name: {
            "lut": _lut(name) if name != "normal" else [],
            "saturation": recipe.saturation,
            "mono": recipe.mono,
            "tint": list(recipe.tint),
            "vignette": recipe.vignette,
        }
        for name, recipe in FILTERS.items()
    }
