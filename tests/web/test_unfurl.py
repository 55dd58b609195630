"""Links that unfurl: OpenGraph and Twitter-card tags on photo and profile pages, as a crawler
(logged out) reads them; a private account's pages and photos unfurl as a generic card to
anyone, its followers included."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from filmroll.graph import relationships
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


class Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and (":" in key):
            self.tags[key] = found.get("content") or ""


def unfurled(client: Client, path: str) -> tuple[int, dict[str, str], str]:
    answer = client.get(path)
    page = answer.content.decode()
    parser = Meta()
    parser.feed(page)
    return answer.status_code, parser.tags, page


def test_a_public_photo_and_profile_unfurl_with_image_caption_and_link():
    ana, api = make_user("ana")
    made = upload(api, png_bytes((400, 300)), caption="Harbour at dawn #sea",
                  alt_text="Boats in morning fog")  # fmt: skip
    code = made.json()["data"]["shortcode"]
    status, tags, _ = unfurled(Client(), f"/p/{code}/")
    assert status == 200
    assert tags["og:type"] == "article" and tags["og:site_name"] == "filmroll"
    assert tags["og:title"] == "ana on filmroll"
    assert tags["og:description"] == "Harbour at dawn #sea" == tags["twitter:description"]
    assert tags["og:url"] == f"http://testserver/p/{code}/"
    # absolute: this site's (local storage) or the bucket's or CDN's
    assert urlsplit(tags["og:image"]).scheme == "http" and urlsplit(tags["og:image"]).netloc
    assert tags["og:image"].endswith(".jpg")
    assert tags["og:image"] == tags["twitter:image"]
    assert tags["og:image:alt"] == "Boats in morning fog"
    assert int(tags["og:image:width"]) > 0 and int(tags["og:image:height"]) > 0
    assert tags["twitter:card"] == "summary_large_image"
    status, tags, _ = unfurled(Client(), "/ana/")
    assert status == 200 and tags["og:type"] == "profile" and tags["profile:username"] == "ana"
    assert (
        tags["og:title"] == "Ana (@ana) · filmroll" and tags["og:url"] == "http://testserver/ana/"
    )
    assert urlsplit(tags["og:image"]).netloc and tags["twitter:card"] == "summary"


def test_a_private_account_unfurls_as_nothing_but_filmroll_to_anyone():
    carol, api = make_user("carol", private=True)
    carol.bio = "private bio words"
    carol.save(update_fields=["bio"])
    made = upload(api, png_bytes(), caption="secret caption words", alt_text="secret alt words")
    code = made.json()["data"]["shortcode"]
    follower, _ = make_user("fran")
    relationships.follow(follower, carol)
    relationships.approve(carol, follower)
    crawler = Client()
    status, tags, page = unfurled(crawler, f"/p/{code}/")
    assert status == 404 and not any(k.startswith(("og:", "twitter:")) for k in tags)
    assert "secret caption words" not in page
    signed_in = Client()
    assert (
        signed_in.post("/accounts/login/", {"username": "fran", "password": PASSWORD}).status_code
        == 302
    )
    for client, path in ((crawler, "/carol/"), (signed_in, "/carol/"), (signed_in, f"/p/{code}/")):
        status, tags, page = unfurled(client, path)
        assert status == 200, path
        assert tags["og:title"] == "filmroll" == tags["twitter:title"], path
        assert tags["og:type"] == "website" and tags["twitter:card"] == "summary"
        assert "og:image" not in tags and "twitter:image" not in tags
        assert "profile:username" not in tags
        told = " ".join(tags.values())
        for secret in ("carol", "secret caption words", "secret alt words", "private bio words"):
            assert secret not in told, (path, secret)
    # the follower does see the photo itself on the page: only the card is generic
    assert "secret caption words" in unfurled(signed_in, f"/p/{code}/")[2]


def test_a_photo_behind_a_content_warning_unfurls_with_its_warning_and_no_image():
    ana, api = make_user("ana")
    made = upload(api, png_bytes((400, 300)), caption="the last scene, explained",
                  alt_text="The hero falls", sensitive="true", spoiler_text="Film spoilers")  # fmt: skip
    code = made.json()["data"]["shortcode"]
    status, tags, page = unfurled(Client(), f"/p/{code}/")
    assert status == 200
    assert (
        tags["og:title"] == "ana on filmroll" and tags["og:url"] == f"http://testserver/p/{code}/"
    )
    assert tags["og:description"] == "Film spoilers" == tags["twitter:description"]
    assert tags["twitter:card"] == "summary"
    assert not any(k.startswith(("og:image", "twitter:image")) for k in tags)
    told = " ".join(tags.values())
    for hidden in ("the last scene", "The hero falls", ".jpg"):
        assert hidden not in told, hidden
    # with no words of its own the warning is the generic one, in the page's language
    plain = upload(api, png_bytes(), caption="a bite", sensitive="true")
    code = plain.json()["data"]["shortcode"]
    tags = unfurled(Client(), f"/p/{code}/")[1]
    assert tags["og:description"] == "Sensitive content" and "og:image" not in tags
    german = unfurled(Client(HTTP_ACCEPT_LANGUAGE="de"), f"/p/{code}/")[1]
    assert german["og:description"] not in ("Sensitive content", "a bite")
