"""Posting, reading and deleting photos through the API, with a hostile-file corpus."""

import io
import struct
import zlib

import pytest
from django.test import Client
from PIL import Image

from filmroll.accounts import counts
from filmroll.files import storage
from filmroll.graph import edges
from filmroll.media import shortcodes
from filmroll.sharding import ids, shardmap
from tests.support.images import jpeg_bytes, stored_keys, upload
from tests.support.tasks import run_tasks

SIZES = {"thumbnail", "low_resolution", "standard_resolution", "high_resolution"}


def meta(response) -> dict:
    return response.json()["meta"]


def png_claiming(width: int, height: int) -> bytes:
    """A few-byte PNG whose header claims a huge image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


HOSTILE = {
    "html renamed to .jpg": (b"<!doctype html><html><script>alert(1)</script></html>", "x.jpg"),
    "svg renamed to .png": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "x.png",
    ),
    "jpeg/html polyglot": (
        b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script>" + jpeg_bytes()[4:],
        "x.jpg",
    ),
    "truncated jpeg": (jpeg_bytes()[:3000], "x.jpg"),
    "png claiming 50000x50000": (png_claiming(50_000, 50_000), "x.png"),
    "zero bytes": (b"", "x.jpg"),
    "gif": (b"GIF89a" + b"\0" * 100, "x.gif"),
    "30 MB": (b"\xff\xd8\xff\xe0" + b"\0" * (30 * 1024 * 1024), "x.jpg"),
    "tiny 1x1": (None, "x.png"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_with_nothing_stored(alice, case):
    user, api = alice
    data, name = HOSTILE[case]
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (1, 1)).save(out, "PNG")
        data = out.getvalue()
    before = stored_keys()
    response = upload(api, data, name, caption="hello")
    assert response.status_code == 400, case
    assert meta(response)["error_type"] == "APIInvalidParametersError"
    assert meta(response)["error_message"]
    assert stored_keys() == before
    assert counts.for_users([user.id])[user.id]["media"] == 0
    # and the server still answers
    assert upload(api, jpeg_bytes((400, 400))).status_code == 201


def test_an_upload_answers_201_with_the_v1_media_object(alice):
    user, api = alice
    response = upload(
        api,
        jpeg_bytes((2000, 1500)),
        caption="Golden hour #Sunset #café",
        filter="clarendon",
        lat="38.7114",
        lng="-9.13",
    )
    assert response.status_code == 201
    media = response.json()["data"]
    assert set(media) == {
        "id", "shortcode", "type", "link", "created_time", "user", "caption", "filter", "tags",
        "location", "images", "likes", "comments", "user_has_liked", "blurhash", "users_in_photo",
        "attribution", "alt_text", "sensitive", "spoiler_text", "user_has_saved",
    }  # fmt: skip
    assert media["type"] == "image" and media["filter"] == "Clarendon"  # v1's display name
    assert media["tags"] == ["sunset", "café"]
    assert media["caption"]["text"] == "Golden hour #Sunset #café"
    assert media["caption"]["from"]["username"] == "alice"
    assert media["user"] == {
        "id": str(user.id),
        "username": "alice",
        "full_name": "Alice",
        "profile_picture": media["user"]["profile_picture"],
    }
    assert media["location"]["latitude"] == pytest.approx(38.7114)
    assert media["link"] == f"http://testserver/p/{media['shortcode']}/"
    assert media["created_time"].isdigit()
    assert media["likes"] == media["comments"] == {"count": 0, "data": []}
    assert media["users_in_photo"] == [] and media["attribution"] is None
    assert len(media["blurhash"]) > 6
    images = media["images"]
    assert set(images) == SIZES
    for size in images.values():
        assert set(size) == {"url", "width", "height"}
    assert (images["thumbnail"]["width"], images["thumbnail"]["height"]) == (150, 150)
    assert (
        images["low_resolution"]["width"],
        images["standard_resolution"]["width"],
        images["high_resolution"]["width"],
    ) == (320, 640, 1080)
    assert images["high_resolution"]["height"] == 810
    assert counts.for_users([user.id])[user.id]["media"] == 1
    by_code = api.get(f"/api/v1/media/shortcode/{media['shortcode']}")
    assert by_code.json()["data"]["id"] == media["id"]
    assert shortcodes.decode(media["shortcode"]) == int(media["id"])


def test_a_gps_tagged_upload_leaves_no_exif_in_any_stored_file(alice):
    _, api = alice
    before = stored_keys()
    response = upload(api, jpeg_bytes((1600, 1200), gps=True))
    assert response.json()["data"]["location"] is None  # a place only when the user gives one
    new = stored_keys() - before
    assert len(new) == 4
    for key in new:
        data = storage.read(key)
        assert b"Exif" not in data[:4096]
        image = Image.open(io.BytesIO(data))
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert image.info.get("progressive") or image.info.get("progression")


def test_exif_orientation_is_applied(alice):
    _, api = alice
    # 800x600 stored sideways (orientation 6: rotate 90° clockwise to view) is a 600x800 portrait
    media = upload(api, jpeg_bytes((800, 600), orientation=6)).json()["data"]
    high = media["images"]["high_resolution"]
    assert (high["width"], high["height"]) == (600, 750)  # portrait, cropped to 4:5


@pytest.mark.parametrize(
    ("size", "expected"),
    [((1000, 3000), (1000, 1250)), ((3000, 500), (955, 500)), ((500, 500), (500, 500))],
)
def test_aspect_ratio_is_kept_between_4_5_and_1_91_and_nothing_is_upscaled(alice, size, expected):
    _, api = alice
    high = upload(api, jpeg_bytes(size)).json()["data"]["images"]["high_resolution"]
    width, height = expected
    if width > 1080:
        width, height = 1080, round(height * 1080 / width)
    assert (high["width"], high["height"]) == (width, height)


def test_heic_uploads_are_decoded(alice):
    import pillow_heif

    _, api = alice
    heif = pillow_heif.from_pillow(Image.new("RGB", (640, 480), (30, 120, 60)))
    out = io.BytesIO()
    heif.save(out, quality=80)
    response = upload(api, out.getvalue(), "photo.heic")
    assert response.status_code == 201
    assert response.json()["data"]["images"]["high_resolution"]["width"] == 640


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"caption": "x" * 2201}, "caption"),
        ({"filter": "sepia-ish"}, "no filter named"),
        ({"lat": "10"}, "both lat and lng"),
        ({"lat": "91", "lng": "0"}, "lat must be"),
        ({"lat": "0", "lng": "-181"}, "lng must be"),
        ({"lat": "nan", "lng": "0"}, "finite"),
        ({"lat": "north", "lng": "0"}, "numbers"),
        ({"location_id": "12345"}, "location_id"),
    ],
)
def test_bad_fields_are_refused_before_anything_is_stored(alice, fields, says):
    _, api = alice
    before = stored_keys()
    response = upload(api, jpeg_bytes(), **fields)
    assert response.status_code == 400
    assert says in meta(response)["error_message"]
    assert stored_keys() == before


def test_an_upload_needs_an_image_and_a_token(alice, anon):
    _, api = alice
    assert (
        meta(api.post("/api/v1/media", {"caption": "no file"}))["error_type"]
        == "APIInvalidParametersError"
    )
    assert upload(anon, jpeg_bytes()).status_code == 400


def test_a_place_given_by_id(alice):
    user, api = alice
    from filmroll.places import places

    place_id = places.create(user.id, places.Place("Hallstatt", 47.5622, 13.6493))
    media = upload(api, jpeg_bytes(), location_id=str(place_id)).json()["data"]
    assert media["location"] == {
        "id": str(place_id),
        "name": "Hallstatt",
        "latitude": 47.5622,
        "longitude": 13.6493,
        "street_address": "",
    }


def test_a_private_accounts_photo_is_hidden_exactly_like_a_missing_one(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    alice_api.post("/api/v1/users/self", {"is_private": "true"})
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    hidden = bob_api.get(f"/api/v1/media/{media['id']}")
    missing = bob_api.get(f"/api/v1/media/{int(media['id']) + 1}")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert hidden.json()["meta"]["error_type"] == "APINotFoundError"
    assert bob_api.get(f"/api/v1/media/shortcode/{media['shortcode']}").status_code == 400
    edges.add(bob_user.id, alice_user.id)  # an approved follower sees it
    assert bob_api.get(f"/api/v1/media/{media['id']}").status_code == 200


def test_only_the_owner_deletes_and_deleting_removes_row_count_and_files(
    alice, bob, django_capture_on_commit_callbacks
):
    alice_user, alice_api = alice
    _, bob_api = bob
    before = stored_keys()
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    assert len(stored_keys() - before) == 4
    refused = bob_api.client.delete(
        f"/api/v1/media/{media['id']}", HTTP_AUTHORIZATION=f"Bearer {bob_api.token}"
    )
    assert refused.status_code == 403
    shard_db = shardmap.physical_of(ids.shard_of(alice_user.id))  # tasks go in its outbox
    with django_capture_on_commit_callbacks(using=shard_db, execute=True) as enqueued:
        deleted = alice_api.client.delete(
            f"/api/v1/media/{media['id']}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}"
        )
    tasks = [c for c in enqueued if c.__qualname__.startswith("enqueue.")]  # (not cache versions)
    assert len(tasks) == 4  # the files, the post out of feeds, its activity, the index
    assert deleted.status_code == 200
    assert alice_api.get(f"/api/v1/media/{media['id']}").status_code == 400
    assert counts.for_users([alice_user.id])[alice_user.id]["media"] == 0
    run_tasks()  # the files go in the background
    assert stored_keys() == before
    again = alice_api.client.delete(
        f"/api/v1/media/{media['id']}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}"
    )
    assert again.json()["meta"]["error_type"] == "APINotFoundError"


def test_served_files_are_safe(settings, tmp_path):
    backend = storage.Local()
    key = storage.new_key("jpg")
    backend.put(key, jpeg_bytes((64, 64)), "image/jpeg")
    response = Client().get(f"/media/{key}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert not response.cookies
    for bad in ["../secret_key", "ab/not-a-key.html", "x.svg"]:
        assert Client().get(f"/media/{bad}").status_code == 404


def test_photo_urls_go_under_the_cdn_when_configured(alice, settings):
    import dataclasses

    _, api = alice
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, media_url="https://cdn.example.net/p"
    )
    media = upload(api, jpeg_bytes()).json()["data"]
    for size in media["images"].values():
        assert size["url"].startswith("https://cdn.example.net/p/")
