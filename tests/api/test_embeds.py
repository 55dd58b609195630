"""What other sites show of a photo: oEmbed, the embed page (the one page that may be framed) and
the image link. Only public photos, never one hidden from the signed-in viewer by a block."""

from __future__ import annotations

import pytest
from django.test import Client

from filmroll.media import shortcodes
from tests.api.world import World, build
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD


@pytest.fixture
def world() -> World:
    return build()


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_oembed_answers_for_public_photos_only(world):
    w = world
    link = f"https://filmroll.example/p/{w.code}/"
    shown = Client().get("/oembed/", {"url": link, "maxwidth": "400"}).json()
    assert shown["width"] == 400 and 'width="400"' in shown["html"]
    large = w.bo_api.get(f"/v1/media/{w.photo}").json()["data"]["images"]["standard_resolution"]
    assert (shown["thumbnail_url"], shown["thumbnail_width"]) == (large["url"], large["width"])
    assert Client().get("/v1/oembed", {"url": link}).json()["media_id"] == w.photo
    wrapped = Client().get("/oembed", {"url": link, "callback": "show"})
    assert wrapped.content.startswith(b"/**/show({") and b'"type": "rich"' in wrapped.content
    private = f"https://filmroll.example/p/{shortcodes.encode(int(w.hidden))}/"
    for url in (private, "https://filmroll.example/p/AAAAAAAAAAA/"):
        refused = Client().get("/oembed", {"url": url})
        assert refused.json()["meta"]["error_type"] == "APINotFoundError"
    # a follower's token changes nothing: an embed is for everyone, so private stays out
    cy_follower = w.bo_api  # (bo's request to cy is not approved; approve it)
    w.cy_api.post(f"/v1/users/{w.bo.id}/relationship", {"action": "approve"})
    assert cy_follower.get("/oembed", url=private).json()["meta"]["error_type"] == (
        "APINotFoundError"
    )
    bad = Client().get("/oembed", {"url": "javascript:alert(1)"})
    assert bad.json()["meta"]["error_type"] == "APIInvalidParametersError"


def test_the_embed_page_is_the_one_page_that_may_be_framed(world):
    w = world
    page = Client().get(f"/p/{w.code}/embed/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Evening at the pier #sunset" in html and "View on filmroll" in html
    assert "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert "script-src" not in page["Content-Security-Policy"]  # default-src 'none': no scripts
    assert "<script" not in html
    photo_page = Client().get(f"/p/{w.code}/")
    assert photo_page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in photo_page["Content-Security-Policy"]
    hidden = shortcodes.encode(int(w.hidden))
    assert Client().get(f"/p/{hidden}/embed/").status_code == 404
    assert signed_in("cy").get(f"/p/{hidden}/embed/").status_code == 404  # not even its owner's
    assert signed_in("dee").get(f"/p/{w.code}/embed/").status_code == 404  # ana blocked dee
    assert signed_in("bo").get(f"/p/{w.code}/embed/").status_code == 200
    assert Client().get("/p/not-a-code!/embed/").status_code == 404


def test_the_image_link_redirects_to_a_size_of_a_public_photo(world):
    w = world
    shown = w.bo_api.get(f"/v1/media/{w.photo}").json()["data"]["images"]
    for size, name in (("t", "thumbnail"), ("m", "low_resolution"), ("l", "standard_resolution")):
        answer = Client().get(f"/p/{w.code}/media/", {"size": size})
        assert answer.status_code == 302 and answer["Location"] == shown[name]["url"]
    assert Client().get(f"/p/{w.code}/media/")["Location"] == shown["low_resolution"]["url"]
    assert Client().get(f"/p/{w.code}/media/", {"size": "xl"}).status_code == 400
    hidden = shortcodes.encode(int(w.hidden))
    assert Client().get(f"/p/{hidden}/media/").status_code == 404
    assert signed_in("dee").get(f"/p/{w.code}/media/").status_code == 404


def test_a_photo_behind_a_content_warning_embeds_veiled_with_no_bare_thumbnail(world):
    w = world
    made = upload(w.ana_api, png_bytes((400, 300)), caption="the last scene, explained",
                  sensitive="true", spoiler_text="Film spoilers")  # fmt: skip
    code = made.json()["data"]["shortcode"]
    shown = Client().get("/oembed/", {"url": f"https://filmroll.example/p/{code}/"}).json()
    # oEmbed's thumbnail fields are optional, all three or none: none, so no consumer shows
    # the photo bare beside the link; the title is the warning, not the caption
    assert not any(key.startswith("thumbnail_") for key in shown)
    assert shown["title"] == "Film spoilers"
    assert {"version", "type", "html", "width", "height"} <= shown.keys()
    assert shown["type"] == "rich" and f"/p/{code}/embed/" in shown["html"]
    # what the iframe shows keeps the veil: the warning over the photo, and a way to see it
    page = Client().get(f"/p/{code}/embed/").content.decode()
    assert '<details class="cw"><summary>Film spoilers' in page
    assert "filter: blur(" in page
