"""Contract tests from v1's documented example responses: for each endpoint, every field path the
v1 documentation showed is present with the JSON type it showed (filmroll's extra fields may
sit beside them). The shapes are written out here from v1's reference, endpoint by endpoint,
independently of filmroll's own schemas, so a presenter that drops or retypes a documented
field fails here even if the OpenAPI document followed it."""

from __future__ import annotations

from typing import Any

import pytest

from filmroll.realtime.models import Subscription
from tests.api.world import PIER, SECRET, World, build
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]

# --- v1's documented shapes: a type, a dict of fields, a list of one shape, or None (null) ---
USER_SMALL = {"id": str, "username": str, "full_name": str, "profile_picture": str}
USER = {**USER_SMALL, "bio": str, "website": str,
        "counts": {"media": int, "follows": int, "followed_by": int}}  # fmt: skip
COMMENT = {"id": str, "created_time": str, "text": str, "from": USER_SMALL}
IMAGE = {"url": str, "width": int, "height": int}
LOCATION = {"id": str, "name": str, "latitude": float, "longitude": float}
MEDIA = {
    "id": str, "type": str, "link": str, "created_time": str, "filter": str, "tags": [str],
    "user": USER_SMALL, "caption": COMMENT, "users_in_photo": [], "attribution": None,
    "user_has_liked": bool, "location": {**LOCATION, "street_address": str},
    "images": {"thumbnail": IMAGE, "low_resolution": IMAGE, "standard_resolution": IMAGE},
    "comments": {"count": int, "data": [COMMENT]}, "likes": {"count": int, "data": [USER_SMALL]},
}  # fmt: skip
# the likes list: v1's first documentation showed first/last names and a type
LIKER = {**USER_SMALL, "first_name": str, "last_name": str, "type": str}
TAG = {"name": str, "media_count": int}
RELATIONSHIP = {"outgoing_status": str, "incoming_status": str, "target_user_is_private": bool}
OEMBED = {"version": str, "type": str, "html": str, "author_name": str, "author_url": str,
          "media_id": str, "thumbnail_url": str, "thumbnail_width": int,
          "thumbnail_height": int, "width": int, "provider_name": str, "title": str}  # fmt: skip
PAGINATION = {"next_url": str, "next_max_id": str}
TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def conforms(value: Any, shape: Any, where: str = "data") -> None:
    """Every documented path of `shape` is in `value` with the documented JSON type."""
    if shape is None:
        assert value is None, f"{where}: expected null, got {value!r}"
    elif isinstance(shape, dict):
        assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        for key, inner in shape.items():
            assert key in value, f"{where}.{key} is missing"
            conforms(value[key], inner, f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), f"{where}: expected an array, got {value!r}"
        for i, item in enumerate(value if shape else []):  # [] says only "an array"
            conforms(item, shape[0], f"{where}[{i}]")
    elif shape is float:
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where
    elif shape is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
    else:
        assert isinstance(value, shape), f"{where}: expected {TYPES[shape]}, got {value!r}"


def envelope(answer, data: Any, paged: bool = False) -> Any:
    assert answer.status_code == 200, answer.content
    body = answer.json()
    conforms(body, {"meta": {"code": int}, "data": data}, "body")
    assert body["meta"]["code"] == 200
    if paged:
        conforms(body["pagination"], PAGINATION, "pagination")
    return body["data"]


@pytest.fixture
def world() -> World:
    made = build()
    run_tasks()  # the index: tags, places, the area
    return made


def test_users_media_and_discovery_answer_v1s_documented_shapes(world):
    w, api = world, world.bo_widget
    ana, photo = str(w.ana.id), w.photo
    conforms(envelope(api.get(f"/v1/users/{ana}"), USER), USER)
    feed = envelope(api.get("/v1/users/self/feed", count="1"), [MEDIA], paged=True)
    recent = envelope(api.get(f"/v1/users/{ana}/media/recent", count="1"), [MEDIA], paged=True)
    assert feed[0]["id"] == recent[0]["id"] == photo
    liked = envelope(api.get("/v1/users/self/media/liked"), [MEDIA])
    assert [m["id"] for m in liked] == [photo]
    envelope(api.get("/v1/users/search", q="an"), [USER_SMALL])
    one = envelope(api.get(f"/v1/media/{photo}"), MEDIA)
    assert one == envelope(api.get(f"/v1/media/shortcode/{w.code}"), MEDIA)
    assert one["filter"] == "Valencia" and one["tags"] == ["sunset"]
    assert one["location"]["street_address"] == "Beach St"
    assert [c["text"] for c in one["comments"]["data"]] == ["Lovely light!", "Thank you"]
    assert [u["username"] for u in one["likes"]["data"]] == ["bo"]
    assert one["user_has_liked"] is True
    envelope(api.get("/v1/media/popular"), [MEDIA])
    near = envelope(api.get("/v1/media/search", lat=PIER[0], lng=PIER[1]), [MEDIA])
    assert [m["id"] for m in near] == [photo, w.older]
    tag = envelope(api.get("/v1/tags/sunset"), TAG)
    assert tag == {"name": "sunset", "media_count": 2}  # cy's private photo is not counted
    tagged = api.get("/v1/tags/sunset/media/recent", count="1")
    envelope(tagged, [MEDIA])
    conforms(tagged.json()["pagination"], {"next_url": str, "next_max_tag_id": str,
                                           "min_tag_id": str})  # fmt: skip
    envelope(api.get("/v1/tags/search", q="sun"), [TAG])
    envelope(api.get(f"/v1/locations/{w.place}"), LOCATION)
    at = envelope(api.get(f"/v1/locations/{w.place}/media/recent"), [MEDIA])
    assert [m["id"] for m in at] == [photo, w.older]
    envelope(api.get("/v1/locations/search", lat=PIER[0], lng=PIER[1]), [LOCATION])


def test_social_endpoints_answer_v1s_documented_shapes(world):
    w, api = world, world.bo_widget
    photo = w.photo
    said = envelope(api.get(f"/v1/media/{photo}/comments"), [COMMENT])
    assert [c["text"] for c in said] == ["Lovely light!", "Thank you"]  # oldest first, as v1
    posted = api.post(f"/v1/media/{photo}/comments", {"text": "Again!"})
    assert posted.json()["meta"] == {"code": 200}  # v1 answered 200, and clients check for it
    assert envelope(api.get(f"/v1/media/{photo}/likes"), [LIKER])[0]["type"] == "user"
    for method in ("delete", "post"):
        answer = getattr(api.client, method)(f"/v1/media/{photo}/likes", **api._headers())
        assert envelope(answer, None) is None
    envelope(api.get(f"/v1/users/{w.ana.id}/follows"), [USER_SMALL])
    followers = envelope(api.get(f"/v1/users/{w.ana.id}/followed-by"), [USER_SMALL])
    assert [u["username"] for u in followers] == ["bo"]
    relation = envelope(api.get(f"/v1/users/{w.ana.id}/relationship"), RELATIONSHIP)
    assert relation["outgoing_status"] == "follows"
    asked = envelope(w.cy_api.get("/v1/users/self/requested-by"), [USER_SMALL])
    assert [u["username"] for u in asked] == ["bo"]
    denied = w.cy_api.post(f"/v1/users/{w.bo.id}/relationship", {"action": "deny"})
    assert envelope(denied, RELATIONSHIP)["incoming_status"] == "none"  # deny = ignore


def test_oembed_and_geographies_answer_v1s_documented_shapes(world):
    w = world
    answer = w.anonymous().get("/oembed", {"url": f"https://filmroll.example/p/{w.code}/"})
    assert answer.status_code == 200, answer.content
    shown = answer.json()
    conforms(shown, OEMBED, "oembed")
    assert shown["type"] == "rich" and shown["version"] == "1.0" and shown["media_id"] == w.photo
    assert f"/p/{w.code}/embed/" in shown["html"] and shown["author_name"] == "ana"
    area = Subscription.objects.create(
        application=w.widget, object="geography", aspect="media", callback_url="https://w.example/",
        latitude=PIER[0], longitude=PIER[1], radius=1000,
    )  # fmt: skip
    found = w.anonymous().get(f"/v1/geographies/{area.id}/media/recent",
                              {"client_id": w.widget.client_id, "client_secret": SECRET})  # fmt: skip
    assert [m["id"] for m in envelope(found, [MEDIA])] == [w.photo, w.older]
