"""Alt text: what a screen reader says for a photo, given on upload or edit, at most 1,500
characters, in the media object as `alt_text` (empty: the caption stands in)."""

from __future__ import annotations

import pytest

from tests.support.images import png_bytes, upload
from tests.support.personas import make_user

pytestmark = pytest.mark.django_db(databases="__all__")


def test_alt_text_is_kept_shown_edited_and_checked():
    _, ana = make_user("ana")
    _, bo = make_user("bo")
    made = upload(ana, png_bytes(), caption="pier", alt_text="  A wooden pier at dusk ")
    assert made.status_code == 201, made.content
    media = made.json()["data"]
    assert media["alt_text"] == "A wooden pier at dusk"
    shown = bo.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert shown["alt_text"] == "A wooden pier at dusk"
    assert upload(ana, png_bytes()).json()["data"]["alt_text"] == ""

    edited = ana.post(f"/api/v1/media/{media['id']}", {"alt_text": "Gulls on a pier"})
    assert edited.status_code == 200 and edited.json()["data"]["alt_text"] == "Gulls on a pier"
    assert edited.json()["data"]["caption"]["text"] == "pier"  # the rest as it was

    too_long = upload(ana, png_bytes(), alt_text="x" * 1501)
    assert too_long.status_code == 400
    assert too_long.json()["meta"]["error_message"] == "alt_text must be at most 1500 characters"
    assert ana.post(f"/api/v1/media/{media['id']}", {"alt_text": "x" * 1501}).status_code == 400
    assert upload(ana, png_bytes(), alt_text="x" * 1500).status_code == 201
    refused = bo.post(f"/api/v1/media/{media['id']}", {"alt_text": "mine now"})
    assert refused.status_code in (400, 403)
    assert bo.get(f"/api/v1/media/{media['id']}").json()["data"]["alt_text"] == "Gulls on a pier"
