"""Content warnings (`sensitive`, `spoiler_text` of at most 200 characters) and alt text (at
most 1,500) on upload and edit, through the API and the web's upload and edit pages."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from tests.support.images import png_bytes, upload
from tests.support.personas import make_user

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_content_warning_round_trips_through_upload_and_edit():
    _, ana = make_user("ana")
    _, bo = make_user("bo")
    made = upload(ana, png_bytes(), caption="the ending", sensitive="true",
                  spoiler_text="  Spoilers for the film ")  # fmt: skip
    assert made.status_code == 201, made.content
    media = made.json()["data"]
    assert media["sensitive"] is True and media["spoiler_text"] == "Spoilers for the film"
    shown = bo.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert shown["sensitive"] is True and shown["spoiler_text"] == "Spoilers for the film"

    plain = upload(ana, png_bytes()).json()["data"]
    assert plain["sensitive"] is False and plain["spoiler_text"] == ""
    worded = upload(ana, png_bytes(), spoiler_text="eye surgery").json()["data"]
    assert worded["sensitive"] is True  # a warning's text alone is a warning

    edited = ana.post_json(f"/api/v1/media/{media['id']}", {"sensitive": False, "spoiler_text": ""})
    assert edited.status_code == 200, edited.content
    assert edited.json()["data"]["sensitive"] is False
    assert edited.json()["data"]["spoiler_text"] == ""
    assert edited.json()["data"]["caption"]["text"] == "the ending"  # the rest as it was
    again = ana.post(f"/api/v1/media/{plain['id']}", {"sensitive": "1"}).json()["data"]
    assert again["sensitive"] is True
    assert bo.get(f"/api/v1/media/{plain['id']}").json()["data"]["sensitive"] is True
    assert bo.post(f"/api/v1/media/{plain['id']}", {"sensitive": "0"}).status_code in (400, 403)


def test_bad_warnings_and_long_alt_text_are_refused_in_the_api_error_format():
    _, ana = make_user("ana")
    media = upload(ana, png_bytes()).json()["data"]
    cases = [
        ({"spoiler_text": "x" * 201}, "spoiler_text must be at most 200 characters"),
        ({"sensitive": "maybe"}, "sensitive must be true or false"),
        ({"alt_text": "x" * 1501}, "alt_text must be at most 1500 characters"),
    ]
    for fields, message in cases:
        for answer in (upload(ana, png_bytes(), **fields),
                       ana.post(f"/api/v1/media/{media['id']}", fields)):  # fmt: skip
            assert answer.status_code == 400, (fields, answer.content)
            meta = answer.json()["meta"]
            assert meta == {"code": 400, "error_type": "APIInvalidParametersError",
                            "error_message": message}  # fmt: skip
    shown = ana.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert shown["sensitive"] is False and shown["spoiler_text"] == "" and shown["alt_text"] == ""
    assert upload(ana, png_bytes(), spoiler_text="x" * 200).status_code == 201
    assert json.loads(ana.post_json(f"/api/v1/media/{media['id']}",
                                    {"sensitive": 3}).content)["meta"]["code"] == 400  # fmt: skip


def test_the_web_edit_page_checks_and_keeps_alt_text_and_the_warning():
    ana_user, ana = make_user("ana")
    media = upload(ana, png_bytes(), caption="pier").json()["data"]
    web = Client()
    web.force_login(ana_user)
    page = f"/p/{media['shortcode']}/edit"
    too_long = web.post(page, {"caption": "pier", "alt_text": "x" * 1501})
    assert too_long.status_code == 400
    assert "alt_text must be at most 1500 characters" in too_long.content.decode()
    long_warning = web.post(page, {"caption": "pier", "spoiler_text": "x" * 201})
    assert long_warning.status_code == 400
    done = web.post(page, {"caption": "pier", "alt_text": "Gulls on a pier",
                           "sensitive": "on", "spoiler_text": "birds"})  # fmt: skip
    assert done.status_code == 302
    shown = ana.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert (shown["alt_text"], shown["sensitive"], shown["spoiler_text"]) == (
        "Gulls on a pier", True, "birds")  # fmt: skip
    form = web.get(page).content.decode()
    assert 'name="sensitive" value="on" checked' in form and ">birds<" not in form
    assert 'value="birds"' in form
    for fields, message in (
        ({"alt_text": "x" * 1501}, "alt_text must be at most 1500"),
        ({"spoiler_text": "x" * 201}, "spoiler_text must be at most 200"),
    ):
        image = io.BytesIO(png_bytes())
        image.name = "p.png"
        refused = web.post("/upload/", {"image": image, "caption": "new", **fields})
        assert refused.status_code == 400 and message in refused.content.decode()
    image = io.BytesIO(png_bytes())
    image.name = "p.png"
    posted = web.post("/upload/", {"image": image, "sensitive": "on", "spoiler_text": "gulls"})
    assert posted.status_code == 302
    newest = ana.get("/api/v1/users/self/media/recent").json()["data"][0]
    assert newest["sensitive"] is True and newest["spoiler_text"] == "gulls"
    cleared = web.post(page, {"caption": "pier", "alt_text": "Gulls on a pier"})
    assert cleared.status_code == 302
    assert ana.get(f"/api/v1/media/{media['id']}").json()["data"]["sensitive"] is False
