"""The pipeline's reductions: cheap, and still close to a Lanczos reduction of the same pixels."""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageDraw, ImageStat

from filmroll.media import pipeline


def fine_lines(width: int, height: int) -> Image.Image:
    """Slanted one-pixel lines close together: where a cheap filter shows stair-steps."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 9):
        draw.line([(0, y), (width, y + 15)], fill="black", width=1)
    for x in range(0, width, 12):
        draw.line([(x, 0), (x + 25, height)], fill=(200, 30, 30), width=1)
    return image


def psnr(image: Image.Image, reference: Image.Image) -> float:
    rms = ImageStat.Stat(ImageChops.difference(image, reference)).rms
    return 10 * math.log10(255**2 / (sum(value**2 for value in rms) / len(rms)))


def test_the_reductions_follow_lanczos_on_fine_lines_without_stair_steps():
    # 1500x1125: what a 12-megapixel JPEG decodes to for the 1080 size (3/8)
    decoded = fine_lines(1500, 1125)
    largest = pipeline.shrink(decoded)
    assert largest.size == (1080, 810)
    # bilinear is ~28 dB here; Hamming's stair-steps ~23, a box ~17
    assert psnr(largest, decoded.resize(largest.size, Image.Resampling.LANCZOS)) > 26
    above = fine_lines(1080, 810)
    standard = pipeline.smaller_sizes(above)["standard_resolution"]
    assert psnr(standard, above.resize(standard.size, Image.Resampling.LANCZOS)) > 26


def test_the_320_is_the_2x2_mean_of_the_640():
    sized = pipeline.smaller_sizes(fine_lines(1080, 810))
    assert [sized[name].size for name in pipeline.SIZES] == [
        (150, 150),
        (320, 240),
        (640, 480),
        (1080, 810),
    ]
    halved = sized["standard_resolution"].reduce(2)
    assert ImageChops.difference(sized["low_resolution"], halved).getbbox() is None


def test_the_1080_from_a_jpeg_decode_is_closer_to_lanczos_than_bilinear():
    # OpenCV: bicubic up to 2160 wide, then the 2x2 mean (Pillow's bilinear was ~28 dB here)
    decoded = fine_lines(1500, 1125)
    largest = pipeline.shrink(decoded)
    assert psnr(largest, decoded.resize(largest.size, Image.Resampling.LANCZOS)) > 30


def test_a_frame_over_twice_the_largest_size_still_follows_lanczos():
    # a big PNG (no M/8 decode): Pillow's bilinear (~30 dB), not OpenCV's area (~25)
    decoded = fine_lines(3000, 2250)
    largest = pipeline.shrink(decoded)
    assert largest.size == (1080, 810)
    assert psnr(largest, decoded.resize(largest.size, Image.Resampling.LANCZOS)) > 28
