"""Tags, places, popular and people search through the API."""

import pytest

from filmroll.discovery import popular
from tests.discovery.test_geo import post_at
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def ids_of(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [m["id"] for m in answer.json()["data"]]


def test_tags_from_captions_and_the_owners_comments(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    first = post_at(alice_user, None, None, "#Café at dawn #sky")
    second = post_at(alice_user, None, None, "#café again")
    other = post_at(bob_user, None, None, "#cafeteria")
    run_tasks()
    bob_api.post(f"/api/v1/media/{first}/comments", {"text": "#spam from someone else"})
    alice_api.post(f"/api/v1/media/{first}/comments", {"text": "also #sunrise"})
    run_tasks()
    assert alice_api.get("/api/v1/tags/CAFÉ").json()["data"] == {"name": "café", "media_count": 2}
    assert alice_api.get("/api/v1/tags/spam").json()["data"]["media_count"] == 0
    assert ids_of(alice_api.get("/api/v1/tags/sunrise/media/recent")) == [first]
    assert ids_of(alice_api.get("/api/v1/tags/café/media/recent")) == [second, first]
    found = alice_api.get("/api/v1/tags/search", q="caf").json()["data"]
    assert found == [{"name": "café", "media_count": 2}, {"name": "cafeteria", "media_count": 1}]
    assert alice_api.get("/api/v1/tags/search", q="%").json()["data"] == []  # no wildcards
    page = alice_api.get("/api/v1/tags/café/media/recent", count=1).json()
    assert page["pagination"]["next_max_tag_id"] == second
    assert ids_of(alice_api.get("/api/v1/tags/café/media/recent", max_tag_id=second)) == [first]
    assert alice_api.get("/api/v1/tags/no%20spaces").status_code == 400
    assert ids_of(alice_api.get("/api/v1/tags/cafeteria/media/recent")) == [other]


def test_tag_pages_hide_private_blocked_and_deleted(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    shy, shy_api = make_user("shy")
    mine = post_at(alice_user, None, None, "#moon")
    gone = post_at(alice_user, None, None, "#moon")
    secret = post_at(shy, None, None, "#moon")
    run_tasks()
    shy_api.post("/api/v1/users/self", {"is_private": "true"})
    alice_api.client.delete(f"/api/v1/media/{gone}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}")
    assert ids_of(bob_api.get("/api/v1/tags/moon/media/recent")) == [mine]  # at once
    run_tasks()
    assert bob_api.get("/api/v1/tags/moon").json()["data"]["media_count"] == 1
    assert ids_of(shy_api.get("/api/v1/tags/moon/media/recent")) == [mine]  # out of the index
    alice_api.post(f"/api/v1/users/{bob_user.id}/relationship", {"action": "block"})
    assert ids_of(bob_api.get("/api/v1/tags/moon/media/recent")) == []
    assert secret not in ids_of(shy_api.get("/api/v1/tags/moon/media/recent"))


def test_places_created_found_near_and_by_name(alice):
    user, api = alice
    made = api.post(
        "/api/v1/locations",
        {"name": "Reykjavík harbour", "lat": 64.15, "lng": -21.94, "address": "Geirsgata 1"},
    )
    assert made.status_code == 201, made.content
    harbour = made.json()["data"]
    assert harbour["name"] == "Reykjavík harbour" and harbour["latitude"] == 64.15
    assert harbour["street_address"] == "Geirsgata 1"
    close = api.post(
        "/api/v1/locations", {"name": "Old Harbour café", "lat": 64.1505, "lng": -21.94}
    ).json()["data"]
    api.post("/api/v1/locations", {"name": "Hallgrímskirkja", "lat": 64.1417, "lng": -21.9266})
    for bad in (
        {"name": "x", "lat": 91, "lng": 0},
        {"name": "x", "lat": 0, "lng": 181},
        {"name": "x" * 101, "lat": 0, "lng": 0},
        {"name": "", "lat": 0, "lng": 0},
        {"name": "x", "lat": "north", "lng": 0},
    ):
        answer = api.post("/api/v1/locations", bad)
        assert answer.status_code == 400, bad
        assert answer.json()["meta"]["error_type"] == "APIInvalidParametersError"
    for bad in ({"name": "x", "lat": True, "lng": 0}, {"name": ["x"], "lat": 0, "lng": 0}):
        assert api.post_json("/api/v1/locations", bad).status_code == 400, bad
    run_tasks()
    nearest = api.get("/api/v1/locations/search", lat=64.1506, lng=-21.94).json()["data"]
    # within 1 km, nearest first; each the same object as the place's own answer, address too
    assert nearest == [close, harbour] and close["street_address"] == ""
    assert api.get("/api/v1/locations/search", q="reykj").json()["data"] == [harbour]
    wide = api.get("/api/v1/locations/search", lat=64.1506, lng=-21.94, distance=5000).json()
    assert len(wide["data"]) == 3
    assert [p["name"] for p in api.get("/api/v1/locations/search", q="REYKJ").json()["data"]] == [
        "Reykjavík harbour"
    ]
    assert [p["name"] for p in api.get("/api/v1/locations/search", q="harb").json()["data"]] == [
        "Old Harbour café",
        "Reykjavík harbour",
    ]
    assert api.get("/api/v1/locations/search").status_code == 400
    # a distance that is no number is refused by name too, where it draws no circle
    assert api.get("/api/v1/locations/search", q="harb", distance="null").status_code == 400
    assert api.get(f"/api/v1/locations/{harbour['id']}").json()["data"] == harbour
    assert api.get("/api/v1/locations/123").json()["meta"]["error_type"] == "APINotFoundError"
    photo = api.client.post(
        "/api/v1/media",
        {"image": _jpeg(), "location_id": harbour["id"]},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    ).json()["data"]
    run_tasks()
    assert ids_of(api.get(f"/api/v1/locations/{harbour['id']}/media/recent")) == [photo["id"]]
    assert ids_of(api.get("/api/v1/media/search", lat=64.15, lng=-21.94, distance=10)) == [
        photo["id"]
    ]


def _jpeg():
    import io

    from tests.support.images import jpeg_bytes

    data = io.BytesIO(jpeg_bytes())
    data.name = "photo.jpg"
    return data


def test_popular_ranks_engagement_and_hides_what_the_viewer_may_not_see(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    fans = [make_user(f"fan{n}")[1] for n in range(3)]
    quiet = post_at(alice_user, None, None)
    loved = post_at(bob_user, None, None)
    run_tasks()
    for api in fans:
        api.post(f"/api/v1/media/{loved}/likes")
    popular.refresh()
    assert ids_of(alice_api.get("/api/v1/media/popular"))[:2] == [loved, quiet]
    bob_api.post(f"/api/v1/users/{alice_user.id}/relationship", {"action": "block"})
    assert ids_of(alice_api.get("/api/v1/media/popular")) == [quiet]  # blocked both ways
    assert ids_of(bob_api.get("/api/v1/media/popular")) == [loved]


def test_people_search_by_username_or_name_in_any_script(alice, bob):
    alice_user, alice_api = alice
    anders, _ = make_user("anders")
    anders.full_name = "Ångström Ärlig"
    anders.save()
    shy, _ = make_user("shyone", private=True)
    mean, mean_api = make_user("andy")
    mean_api.post(f"/api/v1/users/{alice_user.id}/relationship", {"action": "block"})

    def names(q):
        answer = alice_api.get("/api/v1/users/search", q=q)
        assert answer.status_code == 200
        return [u["username"] for u in answer.json()["data"]]

    assert names("AND") == ["anders"]  # andy blocked alice: not found by her
    assert names("ångs") == ["anders"] and names("ÅNGS") == ["anders"]
    assert names("shy") == ["shyone"]  # private accounts are findable
    assert names("alice") == ["alice"]
    assert alice_api.get("/api/v1/users/search").status_code == 400
