"""Each filter keeps its look: golden images guard it within a tolerance."""

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageStat

from filmroll.media import filters

GOLDEN = Path(__file__).parent / "golden"
NAMED = [name for name in filters.FILTERS if name != "normal"]


def test_card() -> Image.Image:
    """A fixed test card: a grey ramp, colour patches and skin-like tones."""
    card = Image.linear_gradient("L").resize((96, 96)).convert("RGB")
    draw = ImageDraw.Draw(card)
    for i, colour in enumerate(
        [
            (220, 40, 40),
            (40, 180, 60),
            (40, 80, 220),
            (230, 190, 150),
            (250, 250, 250),
            (10, 10, 10),
        ]
    ):
        draw.rectangle((i * 16, 64, i * 16 + 15, 95), fill=colour)
    return card


test_card.__test__ = False  # a helper, not a test


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_there_are_at_least_twelve_filters_besides_normal():
    assert len(NAMED) >= 12


@pytest.mark.parametrize("name", NAMED)
def test_each_filter_matches_its_golden_image(name):
    result = filters.apply(name, test_card())
    path = GOLDEN / f"{name}.png"
    if os.environ.get("UPDATE_GOLDEN") == "1":  # a developer's switch, not a filmroll setting
        GOLDEN.mkdir(exist_ok=True)
        result.save(path)
    golden = Image.open(path).convert("RGB")
    assert mean_difference(result, golden) < 1.5, f"{name} no longer looks like {path.name}"


@pytest.mark.parametrize("name", NAMED)
def test_each_filter_is_a_real_look_and_deterministic(name):
    card = test_card()
    first, second = filters.apply(name, card), filters.apply(name, card)
    assert first.tobytes() == second.tobytes()
    assert mean_difference(first, card) > 4, f"{name} barely changes the photo"
    assert first.size == card.size and first.mode == "RGB"


def test_black_and_white_filters_have_no_colour():
    for name, recipe in filters.FILTERS.items():
        if recipe.mono and not any(recipe.tint):
            r, g, b = filters.apply(name, test_card()).split()
            assert r.tobytes() == g.tobytes() == b.tobytes(), name


def test_the_filter_list_has_fetchable_previews():
    response = Client().get("/api/v1/media/filters")
    listed = response.json()["data"]
    assert [f["name"] for f in listed] == list(filters.FILTERS)
    preview = Client().get(listed[1]["preview_url"].removeprefix("http://testserver"))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).size == (320, 320)
    assert Client().get("/media/filters/nope.jpg").status_code == 404


@pytest.mark.parametrize("factor", [0.7, 1.35, 1.5])
def test_saturation_is_pillows_colour_enhancement_within_one(factor):
    noise = Image.effect_noise((200, 150), 80)
    image = Image.merge(
        "RGB",
        (noise, noise.rotate(90, expand=False), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
    )
    ours = filters.saturate(image, factor)
    pillows = ImageEnhance.Color(image).enhance(factor)
    difference = ImageChops.difference(ours, pillows)
    assert max(high for _, high in difference.getextrema()) <= 1
    assert mean_difference(ours, pillows) < 0.25
