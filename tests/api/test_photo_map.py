"""The Photo Map's API, GET /api/v1/users/{id}/media/map: a person's geotagged photos clustered
by zoom on the server, exactly counted, within the box asked for, for those who may see them."""

from __future__ import annotations

import pytest

from filmroll.accounts.models import User
from filmroll.graph import relationships
from filmroll.media import photomap
from filmroll.places import grid
from tests.support.images import png_bytes, upload
from tests.support.personas import Api, make_user

# Places far enough apart to be clusters of their own at some zooms and one at others (the
# cells of each zoom are in test_cells_are_the_web_mercator_grid).
PLACES = {
    "berlin1": (52.520, 13.405),
    "berlin2": (52.530, 13.415),
    "berlin3": (52.505, 13.380),
    "paris1": (48.857, 2.352),
    "paris2": (48.860, 2.340),
    "sydney": (-33.868, 151.209),
    "fiji": (-17.713, 178.065),
    "samoa": (-14.276, -170.702),
}


def post(api: Api, where: str | None = None) -> str:
    fields = {}
    if where is not None:
        fields = dict(zip(("lat", "lng"), PLACES[where], strict=True))
    answer = upload(api, png_bytes(), caption=where or "nowhere", **fields)
    assert answer.status_code == 201, answer.content
    return answer.json()["data"]["id"]


def clusters(api: Api, user: User | str, **params) -> list[dict]:
    who = user if isinstance(user, str) else user.id
    answer = api.get(f"/api/v1/users/{who}/media/map", **params)
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]


@pytest.fixture
def mapped(alice) -> tuple[User, Api, dict[str, str]]:
    """alice's photos, one at each place (oldest first in PLACES' order), and one without."""
    user, api = alice
    posted = {where: post(api, where) for where in PLACES}
    posted["nowhere"] = post(api)
    return user, api, posted


def test_cells_are_the_web_mercator_grid():
    # four cells across a 256-pixel tile: at zoom 0 the world is 4 × 4 cells
    assert grid.cell(52.52, 13.405, 0) == (2, 1)
    assert grid.cell(-33.868, 151.209, 0) == (3, 2)
    assert grid.cell(90, 180, 0) == (3, 0) and grid.cell(-90, -180, 0) == (0, 3)
    assert grid.cell(0, 0, 1) == (4, 4)
    assert grid.cell(52.52, 13.405, 14) != grid.cell(52.53, 13.415, 14)


def test_clusters_count_the_photos_exactly_at_each_zoom(mapped, bob):
    alice_user, _, posted = mapped
    _, bob_api = bob
    expected = {0: [5, 2, 1], 2: [5, 1, 1, 1], 5: [3, 2, 1, 1, 1], 14: [1] * 8}
    for zoom, counts in expected.items():
        found = clusters(bob_api, alice_user, zoom=zoom)
        assert [c["count"] for c in found] == counts, zoom
        # every geotagged photo once, and the photo without a place never
        listed = [m for c in found for m in c["media_ids"]]
        assert sorted(listed) == sorted(v for k, v in posted.items() if k != "nowhere"), zoom
    # the whole world and zoom 0 when not given
    assert [c["count"] for c in clusters(bob_api, alice_user)] == [5, 2, 1]


def test_a_cluster_has_its_place_box_cover_and_photos_newest_first(mapped, bob):
    alice_user, _, posted = mapped
    _, bob_api = bob
    berlin = clusters(bob_api, alice_user, zoom=5)[0]
    names = ["berlin3", "berlin2", "berlin1"]  # newest first
    assert berlin["media_ids"] == [posted[n] for n in names]
    assert berlin["cover"]["id"] == posted["berlin3"]
    assert berlin["cover"]["thumbnail"]["url"].endswith(".jpg")
    assert berlin["cover"]["link"].endswith(f"/p/{berlin['cover']['shortcode']}/")
    lats, lngs = [PLACES[n][0] for n in names], [PLACES[n][1] for n in names]
    assert berlin["bbox"] == [min(lngs), min(lats), max(lngs), max(lats)]
    assert berlin["lat"] == pytest.approx(sum(lats) / 3)
    assert berlin["lng"] == pytest.approx(sum(lngs) / 3)


def test_a_big_cluster_lists_no_photos(mapped, bob, monkeypatch):
    alice_user, _, _ = mapped
    monkeypatch.setattr(photomap, "LISTED", 2)
    found = clusters(bob[1], alice_user, zoom=5)
    assert [(c["count"], c["media_ids"] is None) for c in found[:2]] == [(3, True), (2, False)]


def test_the_box_filters_the_photos(mapped, bob):
    alice_user, _, posted = mapped
    _, bob_api = bob
    europe = clusters(bob_api, alice_user, bbox="-10,35,30,60", zoom=5)
    assert [c["count"] for c in europe] == [3, 2]
    paris = clusters(bob_api, alice_user, bbox="2.3,48.8,2.4,48.9", zoom=14)
    assert sorted(m for c in paris for m in c["media_ids"]) == sorted(
        [posted["paris1"], posted["paris2"]]
    )
    # a box across the ±180° meridian: west of it is east of east
    pacific = clusters(bob_api, alice_user, bbox="170,-30,-165,0", zoom=3)
    assert sorted(m for c in pacific for m in c["media_ids"]) == sorted(
        [posted["fiji"], posted["samoa"]]
    )
    assert clusters(bob_api, alice_user, bbox="-60,-60,-30,-30", zoom=3) == []


def test_photos_without_a_place_and_deleted_ones_are_absent(alice, bob):
    alice_user, alice_api = alice
    post(alice_api)
    assert clusters(bob[1], alice_user) == []
    gone = post(alice_api, "sydney")
    kept = post(alice_api, "sydney")
    assert alice_api.client.delete(
        f"/api/v1/media/{gone}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}"
    ).status_code in (200, 204)
    assert [c["media_ids"] for c in clusters(bob[1], alice_user)] == [[kept]]
    # a photo's place taken away leaves the map too
    alice_api.post(f"/api/v1/media/{kept}", {"location": "none"})
    assert clusters(bob[1], alice_user) == []


def _refusal(api: Api, path: str) -> tuple[int, str]:
    answer = api.get(path)
    return answer.status_code, answer.json()["meta"]["error_type"]


def test_a_private_account_s_map_is_for_its_followers(carol, bob):
    carol_user, carol_api = carol
    bob_user, bob_api = bob
    post(carol_api, "paris1")
    refused = _refusal(bob_api, f"/api/v1/users/{carol_user.id}/media/map")
    assert refused == _refusal(bob_api, f"/api/v1/users/{carol_user.id}/media/recent")
    assert refused == (400, "APINotAllowedError")
    assert _refusal(Api(bob_api.client), f"/api/v1/users/{carol_user.id}/media/map")[0] == 400
    # her own map, and once she approves bob's request, his
    assert [c["count"] for c in clusters(carol_api, "self")] == [1]
    relationships.act(bob_user, carol_user, "follow")
    assert _refusal(bob_api, f"/api/v1/users/{carol_user.id}/media/map") == refused
    relationships.act(carol_user, bob_user, "approve")
    assert [c["count"] for c in clusters(bob_api, carol_user)] == [1]


def test_a_block_hides_the_map_both_ways(alice, dan):
    alice_user, alice_api = alice
    dan_user, dan_api = dan  # alice blocked dan
    post(alice_api, "berlin1")
    post(dan_api, "paris1")
    for api, other in ((dan_api, alice_user), (alice_api, dan_user)):
        refused = _refusal(api, f"/api/v1/users/{other.id}/media/map")
        assert refused == _refusal(api, f"/api/v1/users/{other.id}/media/recent")
        assert refused[0] == 400
    _, erin_api = make_user("erin")
    assert [c["count"] for c in clusters(erin_api, alice_user)] == [1]


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "1,2,3,4,5"},
        {"bbox": "a,b,c,d"},
        {"bbox": "1e1,2,3,4"},
        {"bbox": " 1,2,3,4"},
        {"bbox": "1,2,3,4\n"},
        {"bbox": "0,10,10,5"},  # south above north
        {"bbox": "-181,0,10,10"},
        {"bbox": "0,-91,10,10"},
        {"zoom": "-1"},
        {"zoom": "21"},
        {"zoom": "1.5"},
        {"zoom": "x"},
        {"zoom": " 3"},
    ],
)
def test_a_bad_box_or_zoom_is_refused(alice, bob, params):
    alice_user, alice_api = alice
    post(alice_api, "berlin1")
    answer = bob[1].get(f"/api/v1/users/{alice_user.id}/media/map", **params)
    assert answer.status_code == 400
    meta = answer.json()["meta"]
    assert meta["error_type"] == "APIInvalidParametersError"
    assert ("bbox" if "bbox" in params else "zoom") in meta["error_message"]


def test_a_cover_with_a_content_warning_says_so_and_the_web_map_veils_it(alice):
    from django.test import Client

    user, api = alice
    lat, lng = PLACES["sydney"]
    plain = upload(api, png_bytes(), lat=lat, lng=lng)
    assert plain.status_code == 201, plain.content
    lat, lng = PLACES["berlin1"]
    warned = upload(api, png_bytes(), lat=lat, lng=lng, sensitive="true", spoiler_text="a bite")
    assert warned.status_code == 201, warned.content
    covers = {c["cover"]["id"]: c["cover"]["sensitive"] for c in clusters(api, user, zoom=2)}
    assert covers == {plain.json()["data"]["id"]: False, warned.json()["data"]["id"]: True}
    # the page's list for browsers without JavaScript draws the warned cover blurred
    page = Client().get(f"/{user.username}/map/").content.decode()
    assert page.count('class="veiled"') == 1
