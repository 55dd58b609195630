"""A photo's comments page by page when some are hidden from the reader by a block: the cursor
comes from what was read, so a page that a block thinned (even to nothing) still leads on to
the older comments, through the API and on the photo's web page."""

from __future__ import annotations

import pytest

from filmroll.media import shortcodes
from filmroll.web import pages
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@pytest.fixture
def thread():
    """ana's photo: bo's comment, then three by cy, whom bo blocks."""
    _, ana = make_user("ana")
    bo_user, bo = make_user("bo")
    cy_user, cy = make_user("cy")
    photo = upload(ana, jpeg_bytes((200, 200))).json()["data"]["id"]
    assert bo.post(f"/api/v1/media/{photo}/comments", {"text": "first!"}).status_code == 200
    for n in range(3):
        assert cy.post(f"/api/v1/media/{photo}/comments", {"text": f"cy {n}"}).status_code == 200
    blocked = bo.post(f"/api/v1/users/{cy_user.id}/relationship", {"action": "block"})
    assert blocked.status_code == 200, blocked.content
    return photo, bo_user, bo


def test_the_api_pages_past_comments_a_block_hides(thread):
    photo, _, bo = thread
    seen, cursor, pages_read = [], None, 0
    while True:
        params = {"count": 2, **({"max_id": cursor} if cursor else {})}
        answer = bo.get(f"/api/v1/media/{photo}/comments", **params).json()
        seen += [c["text"] for c in answer["data"]]
        pages_read += 1
        cursor = answer["pagination"].get("next_max_id")
        if not cursor:
            break
        assert pages_read < 5
    assert seen == ["first!"]  # the first page (two of cy's) was empty, yet led on


def test_the_photo_page_links_past_comments_a_block_hides(thread, client, monkeypatch):
    photo, bo_user, _ = thread
    monkeypatch.setattr(pages, "COMMENTS_PAGE", 2)
    client.force_login(bo_user)
    code = shortcodes.encode(int(photo.split("_")[0]))
    first = client.get(f"/p/{code}/").content.decode()
    assert "first!" not in first and "cy 2" not in first
    older = first.split(f'href="/p/{code}/?max_id=')[1].split('"')[0]
    second = client.get(f"/p/{code}/?max_id={older}").content.decode()
    assert "first!" in second
