"""Geo search over the discovery index: true distances on the sphere at the poles, across the
±180° meridian and at the boundary itself; time windows; privacy and edits taking photos out;
a rebuilt index equal to the original."""

import math
import random
import time

import pytest

from filmroll.discovery import rebuild
from filmroll.media import photos, pipeline
from filmroll.media.samples import paint
from filmroll.places import geo
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]
RENDERED = pipeline.render(paint(random.Random(3), 120, 120), "normal")


def post_at(user, lat: float | None, lng: float | None, caption: str = "") -> str:
    media_id = photos.publish(user.id, RENDERED, "normal", caption, (None, lat, lng))
    return str(media_id)


def north_of(lat: float, metres: float) -> float:
    return lat + math.degrees(metres / geo.EARTH_RADIUS_M)


def near(api, lat, lng, distance=None, **params) -> list[str]:
    query = {"lat": lat, "lng": lng, **params}
    if distance is not None:
        query["distance"] = distance
    answer = api.get("/api/v1/media/search", **query)
    assert answer.status_code == 200, answer.content
    return [m["id"] for m in answer.json()["data"]]


def test_distances_and_boxes():
    assert geo.distance(0, 0, 1, 0) == pytest.approx(111_195.08, abs=0.01)
    assert geo.distance(10, 179.999, 10, -179.999) == pytest.approx(219.01, abs=0.01)
    assert geo.distance(89.9995, 0, 89.9995, 180) == pytest.approx(111.2, abs=0.1)
    assert len(geo.boxes(-16.85, 179.999, 1000)) == 2  # across the meridian
    assert geo.boxes(89.999, 10, 1000) == [(pytest.approx(89.99, abs=0.001), 90.0, -180.0, 180.0)]
    assert len(geo.boxes(48.0, 11.0, 1000)) == 1


def test_the_boundary_itself_the_antimeridian_and_the_poles(alice):
    user, api = alice
    inside = post_at(user, north_of(48.1, 999.5), 11.5)
    outside = post_at(user, north_of(48.1, 1000.5), 11.5)
    west = post_at(user, -16.85, 179.9995)
    east = post_at(user, -16.85, -179.9995)  # ~107 m from `west`, across the meridian
    far_east = post_at(user, -16.85, -179.97)  # ~3.1 km
    pole_a = post_at(user, 89.9995, 0.0)
    pole_b = post_at(user, 89.9995, 180.0)  # ~111 m away, over the pole
    south = post_at(user, -89.9999, -45.0)
    run_tasks()
    assert near(api, 48.1, 11.5) == [inside]
    assert near(api, 48.1, 11.5, distance=1001) == [outside, inside]
    assert set(near(api, -16.85, 179.9995)) == {west, east}
    assert set(near(api, -16.85, -179.9995, distance=200)) == {west, east}
    assert far_east in near(api, -16.85, -179.9995, distance=5000)
    assert far_east not in near(api, -16.85, -179.9995)
    assert set(near(api, 89.9995, 90, distance=100)) == {pole_a, pole_b}
    assert near(api, 90, 0, distance=60) == [pole_b, pole_a]
    assert near(api, -90, 0) == [south]


def test_time_windows_and_pages(alice):
    user, api = alice
    first = post_at(user, 10.0, 10.0)
    time.sleep(1.1)
    second = post_at(user, 10.0, 10.001)
    third = post_at(user, 10.0, 10.002)
    run_tasks()
    created = {
        m["id"]: int(m["created_time"])
        for m in api.get("/api/v1/users/self/media/recent").json()["data"]
    }
    assert near(api, 10.0, 10.0, max_timestamp=created[first]) == [first]
    assert near(api, 10.0, 10.0, min_timestamp=created[second]) == [third, second]
    page = api.get("/api/v1/media/search", lat=10, lng=10, count=2).json()
    assert [m["id"] for m in page["data"]] == [third, second]
    rest = api.client.get(page["pagination"]["next_url"], HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert [m["id"] for m in rest.json()["data"]] == [first]


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 91, "lng": 0},
        {"lat": 0, "lng": -180.5},
        {"lat": "north", "lng": 0},
        {"lat": "nan", "lng": 0},
        {"lng": 0},
        {"lat": 0, "lng": 0, "distance": 5001},
        {"lat": 0, "lng": 0, "distance": -1},
        {"lat": 0, "lng": 0, "min_timestamp": "yesterday"},
        {"lat": 0, "lng": 0, "distance": "far"},
    ],
)
def test_bad_coordinates_are_answered_400(alice, params):
    _, api = alice
    answer = api.get("/api/v1/media/search", **params)
    assert answer.status_code == 400
    assert answer.json()["meta"]["error_type"] == "APIInvalidParametersError"


def test_privacy_deletes_and_removed_places_take_photos_out(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    kept = post_at(alice_user, 35.0, 135.0)
    deleted = post_at(alice_user, 35.0, 135.0001)
    moved = post_at(alice_user, 35.0, 135.0002)
    run_tasks()
    assert set(near(bob_api, 35.0, 135.0)) == {kept, deleted, moved}
    alice_api.client.delete(
        f"/api/v1/media/{deleted}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}"
    )
    edited = alice_api.post(f"/api/v1/media/{moved}", {"location": "none"})
    assert edited.status_code == 200 and edited.json()["data"]["location"] is None
    run_tasks()
    assert near(bob_api, 35.0, 135.0) == [kept]
    alice_api.post("/api/v1/users/self", {"is_private": "true"})
    assert near(bob_api, 35.0, 135.0) == []  # hidden at once by the read-side rule
    run_tasks()
    assert rebuild.snapshot()["media_index"] == []  # and gone from the index
    alice_api.post("/api/v1/users/self", {"is_private": "false"})
    run_tasks()
    assert near(bob_api, 35.0, 135.0) == [kept]


def test_the_index_rebuilt_equals_the_original(alice, bob, carol):
    alice_user, alice_api = alice
    bob_user, _ = bob
    carol, carol_api = carol
    post_at(alice_user, 1.0, 2.0, "sun #beach #Été")
    commented = post_at(alice_user, None, None, "no place #beach")
    post_at(bob_user, -33.9, 18.4, "#cape")
    post_at(carol, 1.0, 2.0, "#beach secret")
    alice_api.post("/api/v1/locations", {"name": "Camps Bay", "lat": -33.951, "lng": 18.3776})
    run_tasks()
    alice_api.post(f"/api/v1/media/{commented}/comments", {"text": "and #sunset"})
    run_tasks()
    original = rebuild.snapshot()
    assert len(original["media_index"]) == 3 and len(original["places"]) == 1
    assert ("sunset", int(commented)) in original["tag_media"]
    rebuild.rebuild()
    assert rebuild.snapshot() == original
