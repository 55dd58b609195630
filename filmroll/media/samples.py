"""Painted sample photos (skies, suns, hills, sea): demo data and filter previews, never downloaded."""

from __future__ import annotations

import functools
import random

from PIL import Image, ImageDraw


def paint(rng: random.Random, full_width: int = 1080, full_height: int = 1080) -> Image.Image:
    """A small landscape: a sky gradient, a sun, layered hills, sometimes sea. Painted at half
    size and enlarged, which softens the edges like a lens would, and costs less than a blur."""
    width, height = full_width // 2, full_height // 2
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(min(255, c + rng.randrange(60, 160)) for c in top)
    ramp = Image.linear_gradient("L").resize((width, height))
    sky = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), ramp
    )
    draw = ImageDraw.Draw(sky)
    x, y, r = rng.randrange(width), rng.randrange(height // 6, height // 2), rng.randrange(40, 140)
    draw.ellipse(
        (x - r, y - r, x + r, y + r), fill=(255, rng.randrange(160, 240), rng.randrange(60, 160))
    )
    for layer in range(rng.randrange(2, 5)):
        base = height // 2 + layer * height // 10
        shade = tuple(max(0, c - 40 - layer * 30) for c in top)
        points = (
            [(0, height)]
            + [(i * width // 8, base - rng.randrange(0, height // 5)) for i in range(9)]
            + [(width, height)]
        )
        draw.polygon(points, fill=shade)
    if rng.random() < 0.4:
        draw.rectangle(
            (0, height * 4 // 5, width, height),
            fill=(20, 60 + rng.randrange(80), 120 + rng.randrange(100)),
        )
    return sky.resize((full_width, full_height), Image.Resampling.BICUBIC)


@functools.cache
def preview_sample() -> Image.Image:
    """The one sample every filter preview shows."""
    return paint(random.Random(7), 320, 320)
