import io
import resource

import pytest
from PIL import Image, ImageCms

from filmroll.errors import Invalid
from filmroll.files import images
from filmroll.media import pipeline
from tests.support.images import jpeg_bytes


def test_a_12_megapixel_jpeg_is_decoded_at_the_smallest_m_8_scale_that_covers_1080():
    image = images.open_image(jpeg_bytes((4000, 3000)), fit=pipeline.needed)
    assert image.size == (1500, 1125)  # 3/8: 1080 wide still fits; Pillow's draft could only 1/2
    full = images.open_image(jpeg_bytes((4000, 3000)))
    assert full.size == (4000, 3000)


def test_the_scale_follows_the_orientation_and_the_aspect_crop():
    # stored 4000x3000 sideways: upright it is 3000 wide, so 3/8 again (1125 >= 1080)
    assert images.open_image(jpeg_bytes((4000, 3000), orientation=6), fit=pipeline.needed).size == (
        1125,
        1500,
    )
    # a 6000x1000 panorama keeps 1910x1000: 5/8 is the least that leaves 1080 of it
    assert images.open_image(jpeg_bytes((6000, 1000)), fit=pipeline.needed).size == (3750, 625)
    # a square needs its short side: 1/8 of 3000 covers 320 across, but not 400
    photo = jpeg_bytes((4000, 3000))
    assert images.open_image(photo, fit=images.cover(320, 320)).size == (500, 375)
    assert images.open_image(photo, fit=images.cover(400, 400)).size == (1000, 750)


def test_reduced_decoding_keeps_the_picture_upright_and_in_place():
    image = images.open_image(jpeg_bytes((4000, 3000), orientation=6), fit=pipeline.needed)
    # the yellow marker was top-left as stored; rotated 90 degrees clockwise it is top-right
    r, g, b = image.getpixel((image.width - 20, 20))
    assert r > 200 and g > 160 and b < 100
    r, g, b = image.getpixel((20, image.height - 20))
    assert b > 150  # sky blue where the marker is not


def test_a_cmyk_jpeg_and_a_grey_one_are_decoded_too():
    for mode, colour in (("CMYK", (0, 255, 255, 0)), ("L", 128)):
        out = io.BytesIO()
        Image.new(mode, (2000, 1500), colour).save(out, "JPEG")
        image = images.open_image(out.getvalue(), fit=pipeline.needed)
        assert image.mode == "RGB" and image.width >= 1080
    assert image.getpixel((5, 5))[0] == image.getpixel((5, 5))[2]  # grey stays grey


def test_a_jpeg_libjpeg_turbo_warns_about_is_judged_as_before():
    data = jpeg_bytes((2000, 1500))
    # bytes between the scan and its end marker: libjpeg-turbo warns, so Pillow decodes it (at
    # full size: its draft has no scale between 1/2, too small for 1080, and 1)
    padded = data[:-2] + b"\x00" * 16 + data[-2:]
    assert images.open_image(padded, fit=pipeline.needed).size == (2000, 1500)
    assert images.open_image(data, fit=pipeline.needed).size == (1250, 938)  # 5/8
    with pytest.raises(Invalid, match="corrupt or truncated"):
        images.open_image(data[: len(data) // 2], fit=pipeline.needed)


def test_an_embedded_colour_profile_is_converted_to_srgb_and_dropped():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 200, 30)).save(out, "JPEG", icc_profile=profile)
    rendered = pipeline.process(out.getvalue(), "normal")
    stored = Image.open(io.BytesIO(rendered.sizes["high_resolution"][0]))
    assert "icc_profile" not in stored.info
    r, g, b = stored.getpixel((200, 150))
    assert abs(r - 10) < 8 and abs(g - 200) < 8 and abs(b - 30) < 8


def test_transparency_is_flattened_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(out, "PNG")
    image = images.open_image(out.getvalue())
    assert image.mode == "RGB" and image.getpixel((10, 10)) == (255, 255, 255)


def test_a_second_photo_reuses_the_first_ones_memory_without_page_faults():
    photo = jpeg_bytes((4000, 3000))
    pipeline.process(photo, "clarendon")
    assert pipeline.keep_freed_pixels()  # glibc here: freed pixel buffers stay in the heap
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    pipeline.process(photo, "clarendon")
    # ~3,400 pages of fresh memory a photo when glibc hands each freed buffer back at once
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 300
