"""The editing tools (rotate, crop, Lux, filter strength, tilt-shift, border) and the 2012-13
filters: each does what it says to a fixed sample, and each keeps its look, held to small golden
PNGs (tests/media/golden/tools/). `UPDATE_GOLDEN=1` (make golden) writes them anew."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from filmroll.errors import Invalid
from filmroll.files import storage
from filmroll.media import edits, filters, pipeline, samples
from tests.support.images import jpeg_bytes, stored_keys, upload

GOLDEN = Path(__file__).parent / "golden" / "tools"
TOLERANCE = 2.0  # mean absolute difference per channel, 0..255: decoders may differ slightly


def sample(size: tuple[int, int] = (64, 64)) -> Image.Image:
    """A painted landscape (sky, sun, hills) with a yellow marker in its top-left corner, so a
    rotation shows where that corner went."""
    image = samples.paint(random.Random(5), *size)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(250, 220, 20))
    return image


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def region_mean(image: Image.Image, box: tuple[int, int, int, int]) -> list[float]:
    return ImageStat.Stat(image.crop(box)).mean


def sharpness(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """How much neighbouring pixels differ in a region: less after a blur."""
    part = image.crop(box).convert("L")
    shifted = ImageChops.offset(part, 1, 1)
    return ImageStat.Stat(ImageChops.difference(part, shifted).crop((1, 1, *part.size))).mean[0]


# --- goldens: every tool, and the tools under the filters that draw most ------------------------

TOOLS: dict[str, tuple[str, edits.Edits, tuple[int, int]]] = {
    "rotate-90": ("normal", edits.Edits(rotate=90), (64, 48)),
    "rotate-180": ("normal", edits.Edits(rotate=180), (64, 48)),
    "rotate-270": ("normal", edits.Edits(rotate=270), (64, 48)),
    "crop-square": ("normal", edits.Edits(crop=1.0), (64, 48)),
    "crop-4x5": ("normal", edits.Edits(crop=0.8), (64, 64)),
    "crop-box": ("normal", edits.Edits(crop=(0.25, 0.0, 0.75, 0.5)), (64, 64)),
    "lux": ("normal", edits.Edits(lux=True), (64, 64)),
    "strength-50-toaster": ("toaster", edits.Edits(strength=50), (64, 64)),
    "tilt-radial": ("normal", edits.Edits(tilt_shift=edits.TiltShift("radial", 0.4, 0.6, 0.3)), (64, 64)),
    "tilt-linear": ("normal", edits.Edits(tilt_shift=edits.TiltShift("linear", 0.5, 0.5, 0.2, 30)), (64, 64)),
    "border-plain-kelvin": ("kelvin", edits.Edits(border=True), (64, 64)),
    "border-rounded-xpro2": ("xpro2", edits.Edits(border=True), (64, 64)),
    "border-film-sutro": ("sutro", edits.Edits(border=True), (96, 96)),
    "all-hefe": ("hefe", edits.Edits(rotate=90, crop=1.0, lux=True, strength=80,
                                     tilt_shift=edits.TiltShift("radial"), border=True), (64, 48)),
}  # fmt: skip


def edited(filter_name: str, tools: edits.Edits, size: tuple[int, int]) -> Image.Image:
    """As the pipeline does it, less the resize (the sample is small already)."""
    return edits.look(edits.reshape(sample(size), tools), filter_name, tools)


@pytest.mark.parametrize("case", list(TOOLS))
def test_each_tool_matches_its_golden_image(case):
    result = edited(*TOOLS[case])
    path = GOLDEN / f"{case}.png"
    if os.environ.get("UPDATE_GOLDEN") == "1":  # a developer's switch (make golden)
        GOLDEN.mkdir(parents=True, exist_ok=True)
        result.save(path, optimize=True)
    golden = Image.open(path).convert("RGB")
    assert golden.size == result.size, f"{case} changed size"
    assert mean_difference(result, golden) <= TOLERANCE, f"{case} no longer looks like {path.name}"


def test_the_goldens_stay_small():
    assert sum(p.stat().st_size for p in GOLDEN.glob("*.png")) < 150_000


# --- the filters of 2012-13 -----------------------------------------------------------------

CLASSICS = ["amaro", "rise", "hudson", "xpro2", "sierra", "lofi", "earlybird", "sutro", "toaster",
            "brannan", "inkwell", "walden", "hefe", "valencia", "nashville", "1977", "kelvin",
            "willow", "mayfair"]  # fmt: skip


def test_the_2012_filters_are_all_there_by_their_names():
    labels = {filters.display_name(name) for name in filters.FILTERS}
    assert {"Amaro", "Rise", "Hudson", "X-Pro II", "Sierra", "Lo-fi", "Earlybird", "Sutro",
            "Toaster", "Brannan", "Inkwell", "Walden", "Hefe", "Valencia", "Nashville", "1977",
            "Kelvin", "Willow", "Mayfair"} <= labels  # fmt: skip
    assert {"clarendon", "gingham", "juno", "lark", "reyes", "moon", "ludwig"} <= set(
        filters.FILTERS
    )
    for name in CLASSICS:
        assert filters.named(filters.display_name(name).upper()) == name


def warmth(image: Image.Image) -> float:
    r, _, b = ImageStat.Stat(image).mean
    return r - b


def saturation(image: Image.Image) -> float:
    """The mean of each pixel's max - min channel: how colourful, 0 for grey."""
    r, g, b = image.split()
    most = ImageChops.lighter(ImageChops.lighter(r, g), b)
    least = ImageChops.darker(ImageChops.darker(r, g), b)
    return ImageStat.Stat(ImageChops.subtract(most, least)).mean[0]


def corners_and_centre(image: Image.Image) -> tuple[float, float]:
    w, h = image.size
    corner = sum(sum(region_mean(image, box)) for box in [
        (0, 0, w // 8, h // 8), (w - w // 8, 0, w, h // 8),
        (0, h - h // 8, w // 8, h), (w - w // 8, h - h // 8, w, h)]) / 12  # fmt: skip
    centre = sum(region_mean(image, (w * 3 // 8, h * 3 // 8, w * 5 // 8, h * 5 // 8))) / 3
    return corner, centre


def grey_card() -> Image.Image:
    """Flat mid-grey with a little texture: what a filter does to it is all the filter."""
    return Image.blend(Image.new("RGB", (96, 96), (128, 128, 128)),
                       Image.effect_noise((96, 96), 20).convert("RGB"), 0.2)  # fmt: skip


def test_each_classic_filter_has_its_remembered_character():
    photo, grey = sample((96, 96)), grey_card()
    look = {name: filters.apply(name, photo) for name in CLASSICS}
    on_grey = {name: filters.apply(name, grey) for name in CLASSICS}
    # Kelvin: strongly orange, the warmest of all
    assert warmth(on_grey["kelvin"]) > 40
    assert warmth(on_grey["kelvin"]) == max(warmth(on_grey[n]) for n in CLASSICS)
    # 1977: pink (red above green and blue on grey) and faded (no true black)
    r, g, b = ImageStat.Stat(on_grey["1977"]).mean
    assert r > b > g - 4 and r - g > 10
    assert (
        min(v for v, _ in ImageStat.Stat(filters.apply("1977", Image.new("RGB", (8, 8)))).extrema)
        >= 30
    )
    # Brannan: metallic, much less colour than the photo, and more contrast
    assert saturation(look["brannan"]) < saturation(photo) * 0.65
    assert (
        ImageStat.Stat(on_grey["brannan"].convert("L")).stddev[0]
        > ImageStat.Stat(grey.convert("L")).stddev[0]
    )
    # Sutro: dark, purple-brown burnt corners
    corner, centre = corners_and_centre(on_grey["sutro"])
    assert corner < centre - 30
    r, g, b = region_mean(on_grey["sutro"], (0, 0, 10, 10))
    assert r > g and b > g  # purple-brown, not black
    # Toaster: a hot centre, burnt corners
    corner, centre = corners_and_centre(on_grey["toaster"])
    assert centre > corner + 40
    r, g, b = region_mean(on_grey["toaster"], (40, 40, 56, 56))
    assert r > g + 20 and r > b + 20
    # Amaro, Rise, Mayfair: lit in the centre, brighter there than the plain grey
    for name in ("amaro", "rise", "mayfair"):
        _, centre = corners_and_centre(on_grey[name])
        assert centre > 140, name
    r, g, b = region_mean(on_grey["mayfair"], (40, 40, 56, 56))
    assert r > g and r > b  # warm pink
    # Hefe: warm, contrasty, dark corners
    corner, centre = corners_and_centre(on_grey["hefe"])
    assert corner < centre - 20 and warmth(on_grey["hefe"]) > 10
    middle = (24, 24, 72, 72)
    assert saturation(look["hefe"].crop(middle)) > saturation(photo.crop(middle))
    assert saturation(look["kelvin"]) > saturation(photo) * 1.2
    # Walden: washed out and yellow (blue lowest); Sierra: faded, warm, browned corners
    r, g, b = ImageStat.Stat(on_grey["walden"]).mean
    assert b < r - 15 and b < g - 15
    assert (
        min(v for v, _ in ImageStat.Stat(filters.apply("walden", Image.new("RGB", (8, 8)))).extrema)
        >= 20
    )
    corner, centre = corners_and_centre(on_grey["sierra"])
    assert corner < centre and warmth(on_grey["sierra"]) > 5
    assert (
        min(v for v, _ in ImageStat.Stat(filters.apply("sierra", Image.new("RGB", (8, 8)))).extrema)
        >= 40
    )


def test_the_browser_gets_every_recipe_with_its_glow_vignette_and_frame():
    recipes = filters.for_browser()
    assert set(recipes) == set(filters.FILTERS)
    toaster = recipes["toaster"]
    assert toaster["glow"] > 0 and toaster["glow_colour"] != [255, 255, 255]
    assert toaster["vignette_colour"] != [0, 0, 0]
    assert recipes["sutro"]["frame"] == {"colour": [12, 10, 8], "width": 0.06, "style": "film"}


# --- each tool -------------------------------------------------------------------------------


def test_strength_0_is_the_original_100_the_filter_and_50_between():
    photo = sample()
    assert edits.look(photo, "toaster", edits.Edits(strength=0)).tobytes() == photo.tobytes()
    full = filters.apply("toaster", photo)
    assert edits.look(photo, "toaster", edits.Edits(strength=100)).tobytes() == full.tobytes()
    half = edits.look(photo, "toaster", edits.Edits(strength=50))
    apart = mean_difference(photo, full)
    assert apart > 10
    assert mean_difference(half, photo) == pytest.approx(apart / 2, abs=1.5)
    assert mean_difference(half, full) == pytest.approx(apart / 2, abs=1.5)


def test_rotate_turns_clockwise_and_swaps_the_sides():
    photo = sample((64, 48))
    for degrees, size, marker in ((90, (48, 64), (44, 3)), (180, (64, 48), (60, 44)),
                                  (270, (48, 64), (3, 60))):  # fmt: skip
        turned = edits.reshape(photo, edits.Edits(rotate=degrees))
        assert turned.size == size, degrees
        assert turned.getpixel(marker) == (250, 220, 20), degrees  # where top-left went
    assert edits.reshape(photo, edits.Edits()).tobytes() == photo.tobytes()


def test_crop_gives_the_ratio_or_the_box():
    photo = sample((64, 48))
    assert edits.reshape(photo, edits.Edits(crop=1.0)).size == (48, 48)
    w, h = edits.reshape(sample((100, 100)), edits.Edits(crop=0.8)).size
    assert (w, h) == (80, 100)
    w, h = edits.reshape(sample((100, 100)), edits.Edits(crop=1.91)).size
    assert (w, h) == (100, 52)
    box = edits.reshape(photo, edits.Edits(crop=(0.0, 0.0, 0.25, 0.25)))
    assert box.size == (16, 12) and box.getpixel((8, 6)) == (250, 220, 20)  # the marker's corner
    # rotated first, then cropped: the square of a turned landscape is the same square
    assert edits.reshape(photo, edits.Edits(rotate=90, crop=1.0)).size == (48, 48)


def test_lux_stretches_a_dull_photo_and_lifts_a_dark_one():
    dull = Image.blend(sample(), Image.new("RGB", (64, 64), (90, 90, 90)), 0.6)
    fixed = edits.lux(dull)
    grey = ImageStat.Stat(dull.convert("L"))
    assert ImageStat.Stat(fixed.convert("L")).stddev[0] > grey.stddev[0] * 1.4
    dark = sample().point(lambda v: v // 4)
    assert (
        ImageStat.Stat(edits.lux(dark).convert("L")).mean[0]
        > ImageStat.Stat(dark.convert("L")).mean[0] + 30
    )
    flat = Image.new("RGB", (64, 64), (120, 120, 120))  # nothing to stretch: nearly unchanged
    assert mean_difference(edits.lux(flat), flat) < 12


def test_tilt_shift_keeps_the_focus_sharp_and_blurs_the_rest():
    photo = Image.effect_noise((200, 200), 60).convert("RGB")  # detail everywhere
    radial = edits.tilt_shift(photo, edits.TiltShift("radial", 0.25, 0.25, 0.2))
    focus, away = (40, 40, 60, 60), (150, 150, 190, 190)
    assert radial.crop(focus).tobytes() == photo.crop(focus).tobytes()  # the focus untouched
    assert sharpness(radial, away) < sharpness(photo, away) / 3
    # a level band through the middle: the middle row sharp, top and bottom blurred
    linear = edits.tilt_shift(photo, edits.TiltShift("linear", 0.5, 0.5, 0.2))
    middle, top = (0, 92, 200, 108), (0, 0, 200, 30)
    assert linear.crop(middle).tobytes() == photo.crop(middle).tobytes()
    assert sharpness(linear, top) < sharpness(photo, top) / 3
    # turned upright (90 degrees): now the middle column is sharp and the left blurred
    upright = edits.tilt_shift(photo, edits.TiltShift("linear", 0.5, 0.5, 0.2, 90))
    column = (92, 0, 108, 200)
    assert upright.crop(column).tobytes() == photo.crop(column).tobytes()
    assert sharpness(upright, (0, 0, 30, 200)) < sharpness(photo, (0, 0, 30, 200)) / 3
    assert upright.size == photo.size


def test_the_border_is_the_filters_own_frame_and_keeps_the_size():
    photo = sample((100, 100))
    for name in ("kelvin", "inkwell", "sutro", "xpro2"):
        frame = filters.FILTERS[name].frame
        framed = edits.border(photo, frame)
        assert framed.size == photo.size
        assert framed.getpixel((0, 50)) == frame.colour, name  # the left edge, mid-way
        assert framed.getpixel((50, 50)) == photo.getpixel((50, 50)), name
    sutro = edits.border(photo, filters.FILTERS["sutro"].frame)
    top_band = sutro.crop((6, 0, 94, 6)).getcolors()
    assert len(top_band) > 1  # sprocket holes in the film's edge
    assert edits.look(photo, "normal", edits.Edits(border=False)).tobytes() == photo.tobytes()


BAD = [
    ({"rotate": "45"}, "rotate"),
    ({"rotate": "ninety"}, "rotate"),
    ({"rotate": True}, "rotate"),
    ({"rotate": ""}, "rotate"),
    ({"rotate": " 90"}, "rotate"),
    ({"filter_strength": "101"}, "filter_strength"),
    ({"filter_strength": "-1"}, "filter_strength"),
    ({"filter_strength": "50.5"}, "filter_strength"),
    ({"crop": "3:1"}, "crop ratio"),
    ({"crop": "1:2"}, "crop ratio"),
    ({"crop": "0:1"}, "crop ratio"),
    ({"crop": "wide"}, "crop"),
    ({"crop": "0.5,0.5,0.2,1"}, "crop box"),
    ({"crop": "0,0,1.5,1"}, "crop"),
    ({"crop": "0,0,nan,1"}, "crop"),
    ({"lux": "maybe"}, "lux"),
    ({"lux": "TRUE"}, "lux"),
    ({"lux": ""}, "lux"),
    ({"border": "2"}, "border"),
    ({"tilt_shift": "circle"}, "tilt_shift"),
    ({"tilt_shift": '{"mode": "oval"}'}, "tilt_shift.mode"),
    ({"tilt_shift": '{"mode": "radial", "x": 2}'}, "tilt_shift.x"),
    ({"tilt_shift": '{"mode": "radial", "size": 0}'}, "tilt_shift.size"),
    ({"tilt_shift": '{"mode": "linear", "angle": "steep"}'}, "tilt_shift.angle"),
    ({"tilt_shift": '{"mode": "radial", "blur": 3}'}, "tilt_shift has unknown"),
    ({"tilt_shift": "[1, 2]"}, "tilt_shift"),
]


@pytest.mark.parametrize(("fields", "said"), BAD, ids=[str(f) for f, _ in BAD])
def test_bad_tool_values_are_refused_saying_which(fields, said):
    with pytest.raises(Invalid) as refused:
        edits.parse(fields)
    assert refused.value.message.startswith(said)


def test_good_tool_values_in_each_spelling():
    assert edits.parse({}) == edits.NONE
    assert edits.parse({"crop": "", "tilt_shift": "", "rotate": None}) == edits.NONE
    parsed = edits.parse({"rotate": "270", "crop": "Square", "lux": "true", "border": "1",
                          "filter_strength": "35", "tilt_shift": "linear"})  # fmt: skip
    assert parsed == edits.Edits(270, 1.0, True, 35, edits.TiltShift("linear"), True)
    assert edits.parse({"crop": "16:9"}).crop == pytest.approx(16 / 9)
    assert edits.parse({"crop": "1.91:1"}).crop == pytest.approx(1.91)
    assert edits.parse({"crop": "0.1, 0, 0.9, 1"}).crop == (0.1, 0.0, 0.9, 1.0)
    assert edits.parse({"crop": "original"}).crop is None
    spec = edits.parse({"tilt_shift": '{"mode": "radial", "x": 0.2, "y": 0.8, "size": 0.5}'})
    assert spec.tilt_shift == edits.TiltShift("radial", 0.2, 0.8, 0.5, 0.0)
    assert edits.parse({"tilt_shift": {"mode": "linear", "angle": "-30"}}).tilt_shift.angle == -30


def test_the_pipeline_decodes_enough_for_a_small_crop():
    """A crop of a corner is decoded at more detail than the whole photo needs."""
    data = jpeg_bytes((4000, 3000))
    whole = pipeline.process(data, "normal").sizes["high_resolution"]
    corner = pipeline.process(data, "normal", edits.Edits(crop=(0.0, 0.0, 0.3, 0.3)))
    assert whole[1:] == (1080, 810)
    assert corner.sizes["high_resolution"][1:] == (1080, 810)  # 1200x900 kept, then 1080 wide
    with pytest.raises(Invalid, match="the crop leaves"):
        pipeline.process(jpeg_bytes((200, 150)), "normal", edits.Edits(crop=(0, 0, 0.1, 0.1)))


# --- through the API -------------------------------------------------------------------------


def stored_image(media: dict, size: str = "high_resolution") -> Image.Image:
    key = "/".join(media["images"][size]["url"].rsplit("/", 2)[1:])
    return Image.open(io.BytesIO(storage.read(key))).convert("RGB")


def test_the_api_applies_the_tools(alice):
    _, api = alice
    made = upload(api, jpeg_bytes((1200, 900)), filter="Toaster", rotate="90", border="true",
                  lux="false", filter_strength="60",
                  tilt_shift='{"mode": "radial", "x": 0.5, "y": 0.4, "size": 0.3}')  # fmt: skip
    assert made.status_code == 201, made.content
    media = made.json()["data"]
    assert media["filter"] == "Toaster"
    high = media["images"]["high_resolution"]
    assert (high["width"], high["height"]) == (900, 1125)  # turned, then cut to 4:5
    photo = stored_image(media)
    frame = filters.FILTERS["toaster"].frame.colour
    assert mean_difference(photo.crop((0, 500, 8, 600)), Image.new("RGB", (8, 100), frame)) < 6
    # the marker (top-left before the turn) is now top-right: yellow, under 60% Toaster
    r, g, b = region_mean(photo, (700, 120, 840, 240))
    assert r > 150 and g > 120 and b < 100
    square = upload(api, jpeg_bytes((1200, 900)), crop="square").json()["data"]
    assert (
        square["images"]["high_resolution"]["width"]
        == square["images"]["high_resolution"]["height"]
        == 900
    )


@pytest.mark.parametrize(
    "fields",
    [{"rotate": "45"}, {"filter_strength": "200"}, {"crop": "3:1"}, {"lux": "maybe"},
     {"tilt_shift": '{"mode": "oval"}'}, {"border": "yes please"}, {"filter": "Gotham"}],
    ids=str,
)  # fmt: skip
def test_bad_tool_values_are_400_through_the_api_with_nothing_stored(alice, fields):
    _, api = alice
    before = stored_keys()
    answer = upload(api, jpeg_bytes((400, 300)), **fields)
    assert answer.status_code == 400
    meta = answer.json()["meta"]
    assert meta["error_type"] == "APIInvalidParametersError"
    assert next(iter(fields)).split("_")[0] in meta["error_message"]
    assert stored_keys() == before


def test_the_filter_list_has_the_2012_filters(client):
    listed = [f["name"] for f in client.get("/api/v1/media/filters").json()["data"]]
    assert set(CLASSICS) <= set(listed)
    assert client.get("/media/filters/1977.jpg").status_code == 200


def test_no_tools_is_the_filter_alone():
    photo = sample()
    assert (
        edits.look(photo, "valencia", edits.parse({})).tobytes()
        == filters.apply("valencia", photo).tobytes()
    )
