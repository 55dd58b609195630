import io

from PIL import Image, ImageCms

from filmroll.files import images
from filmroll.media import pipeline
from tests.support.images import jpeg_bytes


def test_a_12_megapixel_jpeg_is_decoded_at_reduced_scale():
    image = images.open_image(jpeg_bytes((4000, 3000)), fit=(1080, 1350))
    assert image.size == (2000, 1500)  # 1/2 scale still covers 1080 wide after any crop
    full = images.open_image(jpeg_bytes((4000, 3000)))
    assert full.size == (4000, 3000)


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
