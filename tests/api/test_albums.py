"""Albums (carousel posts): `POST /api/v1/media` with `image[]` (up to 10 photos, each with its
own filter, alt text and sizes) makes one post of `type: "carousel"` whose `carousel_media`
lists every photo, the first the cover everywhere photos are listed; likes, comments, privacy
and blocks are the post's; a refused album leaves nothing behind, a deleted one no file."""

from __future__ import annotations

import pytest

from filmroll.graph import relationships
from tests.support.images import png_bytes, stored_keys, upload, upload_album
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

# committed transactions: the tag and place index is written by tasks in its own database
pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]

SIZES = {"thumbnail", "low_resolution", "standard_resolution", "high_resolution"}


def three(api, **fields):
    """An album of three photos of different colours, filters and alt texts."""
    photos = [png_bytes((64 + 8 * n, 48)) for n in range(3)]
    return upload_album(
        api, photos, caption="a day at the pier #albumtest", lat="52.52", lng="13.405",
        **{"filter[]": ["normal", "valencia", "X-Pro II"],
           "alt_text[]": ["The pier", "  Gulls ", "The ferry"]}, **fields,
    )  # fmt: skip


def test_an_album_is_one_post_with_every_photo_its_own_filter_alt_text_and_sizes():
    _, ana = make_user("ana")
    made = three(ana)
    assert made.status_code == 201, made.content
    album = made.json()["data"]
    assert album["type"] == "carousel"
    items = album["carousel_media"]
    assert [(i["type"], i["alt_text"], i["filter"]) for i in items] == [
        ("image", "The pier", "Normal"), ("image", "Gulls", "Valencia"),
        ("image", "The ferry", "X-Pro II"),
    ]  # fmt: skip
    for item in items:
        assert set(item["images"]) == SIZES
    urls = {i["images"]["thumbnail"]["url"] for i in items}
    assert len(urls) == 3  # each photo its own files
    assert [i["images"]["high_resolution"]["width"] for i in items] == [64, 72, 80]
    # the object's own photo is the cover: the first
    assert album["images"] == items[0]["images"]
    assert (album["alt_text"], album["filter"]) == ("The pier", "Normal")
    assert ana.get(f"/api/v1/media/{album['id']}").json()["data"]["carousel_media"] == items
    assert ana.get("/api/v1/users/self").json()["data"]["counts"]["media"] == 1

    # one `filter` for every photo; one `alt_text` describes the cover
    same = upload_album(ana, [png_bytes()] * 2, filter="valencia", alt_text="cover")
    assert [(i["filter"], i["alt_text"]) for i in same.json()["data"]["carousel_media"]] == [
        ("Valencia", "cover"), ("Valencia", ""),
    ]  # fmt: skip
    # a single photo stays exactly what it was, and so does image[] of one
    single = upload(ana, png_bytes()).json()["data"]
    assert single["type"] == "image" and "carousel_media" not in single
    one = upload_album(ana, [png_bytes()]).json()["data"]
    assert one["type"] == "image" and "carousel_media" not in one


def test_the_cover_stands_for_the_album_in_feeds_profiles_tags_and_places():
    ana_user, ana = make_user("ana")
    bo_user, bo = make_user("bo")
    relationships.act(bo_user, ana_user, "follow")
    album = three(ana).json()["data"]
    run_tasks()
    lists = {
        "feed": bo.get("/api/v1/users/self/feed"),
        "profile": bo.get(f"/api/v1/users/{ana_user.id}/media/recent"),
        "tag": bo.get("/api/v1/tags/albumtest/media/recent"),
        "near": bo.get("/api/v1/media/search", lat="52.52", lng="13.405"),
    }
    for name, answer in lists.items():
        found = [m for m in answer.json()["data"] if m["id"] == album["id"]]
        assert len(found) == 1, name
        assert found[0]["type"] == "carousel", name
        assert found[0]["images"] == album["carousel_media"][0]["images"], name
        assert found[0]["carousel_media"] == album["carousel_media"], name


def test_likes_and_comments_are_the_posts():
    _, ana = make_user("ana")
    _, bo = make_user("bo")
    album = three(ana).json()["data"]
    assert bo.post(f"/api/v1/media/{album['id']}/likes").status_code == 200
    said = bo.post(f"/api/v1/media/{album['id']}/comments", {"text": "the second one!"})
    assert said.status_code == 200, said.content
    shown = bo.get(f"/api/v1/media/{album['id']}").json()["data"]
    assert shown["likes"]["count"] == 1 and shown["user_has_liked"] is True
    assert [c["text"] for c in shown["comments"]["data"]] == ["the second one!"]
    assert len(shown["carousel_media"]) == 3


def test_more_than_ten_photos_are_refused_in_the_error_format_and_nothing_is_stored():
    _, ana = make_user("ana")
    before = stored_keys()
    refused = upload_album(ana, [png_bytes()] * 11)
    assert refused.status_code == 400
    assert refused.json()["meta"] == {
        "code": 400, "error_type": "APIInvalidParametersError",
        "error_message": "image[] takes at most 10 files; 11 were sent",
    }  # fmt: skip
    assert upload_album(ana, [png_bytes()] * 10).status_code == 201
    assert len(stored_keys() - before) == 10 * 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "image 3 of 3: "),  # a bad photo, found after two good ones were rendered
        ({"filter[]": ["normal", "nope"]}, "no filter named 'nope'"),
        ({"alt_text[]": ["", "", "x" * 1501]}, "alt_text must be at most 1500 characters"),
        ({"filter[]": ["normal"] * 4}, "filter[] has 4 items for 3 photos"),
    ],
)
def test_one_bad_photo_or_field_refuses_the_album_leaving_no_row_and_no_file(fields, message):
    _, ana = make_user("ana")
    before = stored_keys()
    photos = [png_bytes(), png_bytes(), b"not an image at all"]
    refused = upload_album(ana, photos, **fields)
    assert refused.status_code == 400, refused.content
    assert refused.json()["meta"]["error_type"] == "APIInvalidParametersError"
    assert refused.json()["meta"]["error_message"].startswith(message)
    assert ana.get("/api/v1/users/self/media/recent").json()["data"] == []
    assert ana.get("/api/v1/users/self").json()["data"]["counts"]["media"] == 0
    assert stored_keys() == before  # nothing left behind, not even a .partial


def test_both_image_and_image_list_are_refused():
    _, ana = make_user("ana")
    import io

    one = io.BytesIO(png_bytes())
    one.name = "one.png"
    answer = ana.post("/api/v1/media", {"image": one, "image[]": [io.BytesIO(png_bytes())]})
    assert answer.status_code == 400
    assert "not both" in answer.json()["meta"]["error_message"]


def test_deleting_the_album_deletes_every_photos_files():
    _, ana = make_user("ana")
    before = stored_keys()
    album = three(ana).json()["data"]
    made = stored_keys() - before
    assert len(made) == 3 * 4
    assert ana.client.delete(f"/api/v1/media/{album['id']}", **ana._headers()).status_code == 200
    run_tasks()
    assert stored_keys() & made == set()


def test_privacy_and_blocks_apply_to_the_whole_album():
    ana_user, ana = make_user("ana", private=True)
    bo_user, bo = make_user("bo")
    cy_user, cy = make_user("cy")
    album = three(ana).json()["data"]
    path = f"/api/v1/media/{album['id']}"
    assert bo.get(path).json()["meta"]["error_type"] == "APINotFoundError"
    relationships.act(bo_user, ana_user, "follow")
    relationships.act(ana_user, bo_user, "approve")
    relationships.act(cy_user, ana_user, "follow")
    relationships.act(ana_user, cy_user, "approve")
    assert len(bo.get(path).json()["data"]["carousel_media"]) == 3
    relationships.act(ana_user, cy_user, "block")
    assert cy.get(path).json()["meta"]["error_type"] == "APINotFoundError"
    feed = cy.get("/api/v1/users/self/feed").json()["data"]
    assert album["id"] not in [m["id"] for m in feed]
