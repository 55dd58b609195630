"""The Photo Map page (/USERNAME/map/) in Chromium at desktop and phone sizes: the clusters on a
plain graticule with the tiles off (no network), a cluster opening its photos or zooming in, by
mouse and by keyboard, tiles from another host let through by the page's Content-Security-Policy
alone, no console error, axe-core finding nothing serious; and the page's rules without a
browser: private and blocked accounts, the profile's link, the list for browsers without
JavaScript."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from filmroll import config
from filmroll.graph import relationships
from filmroll.media import photomap
from filmroll.web import photomap as photomap_page
from tests.support.browser import shot
from tests.support.personas import make_user
from tests.web.test_design import axe_source, run_axe
from tests.web.test_flows import SIZES, Visit, post

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

BERLIN = [(52.520, 13.405), (52.530, 13.415)]
PARIS = (48.857, 2.352)


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def visit(browser, live_server, size):
    seen = Visit(browser, live_server.url, size)
    yield seen
    assert seen.problems() == [], (seen.errors, seen.failed)


@pytest.fixture
def tiles(settings):
    """Set the tile URL for the test (empty: no tiles)."""

    def use(url: str) -> None:
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, map_tile_url=url)

    use("")
    return use


@pytest.fixture
def world() -> dict:
    """ana's photos: two in Berlin, one in Paris, one without a place; bo looks at them."""
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    berlin = [post(ana_api, "Berlin", lat=lat, lng=lng) for lat, lng in BERLIN]
    paris = post(ana_api, "Paris", lat=PARIS[0], lng=PARIS[1])
    post(ana_api, "Nowhere")
    return {"ana": ana, "bo": bo, "berlin": berlin, "paris": paris}


def markers(page) -> dict[str, str]:
    """The clusters on the map: their labels (what a screen reader says) by count shown."""
    page.locator(".map-cluster").first.wait_for()
    found = page.locator(".map-cluster")
    return {
        found.nth(i).locator(".cluster-count").inner_text(): found.nth(i).inner_text()
        for i in range(found.count())
    }


def panel_photos(page) -> list[str]:
    page.locator("#map-panel:not([hidden]) #list a").first.wait_for()
    return [a.get_attribute("href") for a in page.locator("#map-panel #list a").all()]


def test_the_map_shows_clusters_without_tiles_and_a_cluster_opens_its_photos(visit, tiles, world):
    page = visit.tab(world["bo"])
    answer = visit.go(page, "/ana/map/")
    assert answer.status == 200
    assert "tile" not in answer.headers["content-security-policy"]
    shown = markers(page)
    assert set(shown) == {"2", "1"}  # Berlin's two, Paris's one; the photo with no place absent
    assert "2 photos" in shown["2"] and "1 photo" in shown["1"]
    assert page.locator(".leaflet-tile").count() == 0  # no tiles asked for
    assert page.locator("path.graticule-line").count() > 4  # the plain grid instead
    assert page.locator("#map-panel").is_hidden()
    shot(page, f"photo-map-{visit.size}")
    page.locator(".map-cluster", has_text="2 photos").click()
    assert sorted(panel_photos(page)) == sorted(f"/p/{c}/" for c in world["berlin"])
    assert page.evaluate("document.activeElement.id") == "map-panel-title"
    shot(page, f"photo-map-panel-{visit.size}")
    page.get_by_role("button", name="Close").click()
    assert page.locator("#map-panel").is_hidden()
    # by keyboard: the Paris cluster is a button that Enter opens
    page.locator(".map-cluster", has_text="1 photo").focus()
    page.keyboard.press("Enter")
    assert panel_photos(page) == [f"/p/{world['paris']}/"]
    problems = []
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        problems += run_axe(page, axe_source())
    assert problems == []


def test_a_cluster_too_big_to_list_is_zoomed_into(visit, tiles, world, monkeypatch):
    monkeypatch.setattr(photomap, "LISTED", 1)
    page = visit.tab(world["bo"])
    visit.go(page, "/ana/map/")
    assert set(markers(page)) == {"2", "1"}
    before = page.evaluate("document.getElementById('photo-map').dataset.clustersShown")
    page.locator(".map-cluster", has_text="2 photos").click()
    # zoomed in on Berlin: its two photos apart, Paris out of the view
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cluster-count')].map(e => e.textContent).join() === '1,1'"
    )
    assert page.locator("#map-panel").is_hidden() and before == "2"
    page.locator(".map-cluster").first.click()
    assert len(panel_photos(page)) == 1


def test_tiles_from_another_host_are_let_through_by_the_page_s_policy(
    browser, live_server, tiles, world
):
    # "localhost" is another origin than the live server's 127.0.0.1: only the tile source in
    # the map page's Content-Security-Policy lets its images through
    port = urlsplit(live_server.url).port
    tiles(f"http://localhost:{port}/static/leaflet/images/layers.png?tile={{z}}/{{x}}/{{y}}")
    seen = Visit(browser, live_server.url, "desktop")
    page = seen.tab(world["bo"])
    answer = seen.go(page, "/ana/map/")
    img_src = answer.headers["content-security-policy"].split(";")[1].split()
    assert img_src[0] == "img-src" and f"http://localhost:{port}" in img_src
    page.locator("img.leaflet-tile-loaded").first.wait_for()
    assert set(markers(page)) == {"2", "1"}
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    assert seen.problems() == [], seen.errors
    # every other page allows no other host
    other = Client().get("/ana/")
    assert "localhost" not in other["Content-Security-Policy"]


def test_without_javascript_the_page_lists_the_clusters_as_links(browser, live_server, tiles,
                                                                  world):  # fmt: skip
    seen = Visit(browser, live_server.url, "phone")
    page = seen.tab(world["bo"], javascript=False)
    seen.go(page, "/ana/")
    page.get_by_role("link", name="Photo Map").click()
    page.wait_for_url(re.compile(r"/ana/map/$"))
    assert page.get_by_role("link", name=re.compile("^1 photo")).count() == 1  # Paris
    page.get_by_role("link", name=re.compile("^2 photos")).click()
    page.wait_for_url(re.compile(r"/ana/map/photos/\?bbox="))
    shown = [a.get_attribute("href") for a in page.locator("#list a").all()]
    assert shown == [f"/p/{c}/" for c in reversed(world["berlin"])]  # newest first
    assert seen.problems() == [], seen.errors


def test_a_private_or_blocked_map_shows_nothing():
    carol, carol_api = make_user("carol", private=True)
    erin, erin_api = make_user("erin")
    bo, _ = make_user("bo")
    dan, dan_api = make_user("dan")
    for api in (carol_api, erin_api, dan_api):
        post(api, "Paris", lat=PARIS[0], lng=PARIS[1])
    relationships.act(erin, dan, "block")
    looking = {}
    for person in (bo, dan, erin, carol):
        looking[person.username] = Client()
        looking[person.username].force_login(person)
    box = "bbox=2,48,3,49"
    # a private account to one who does not follow it; a block, both ways
    for who, whose in (("bo", "carol"), ("dan", "erin"), ("erin", "dan")):
        client = looking[who]
        page = client.get(f"/{whose}/map/")
        assert page.status_code == 200 and b'id="photo-map"' not in page.content, (who, whose)
        assert b"/p/" not in page.content and b"/media/" not in page.content
        assert client.get(f"/{whose}/map/clusters?{box}&zoom=3").status_code == 404
        assert client.get(f"/{whose}/map/photos/?{box}").status_code == 404
    for who, whose in (("carol", "carol"), ("bo", "erin"), ("bo", "dan")):
        found = looking[who].get(f"/{whose}/map/clusters?{box}&zoom=3").json()["clusters"]
        assert [c["count"] for c in found] == [1], (who, whose)
    assert looking["bo"].get("/carol/map/clusters?bbox=2,48&zoom=3").status_code == 404
    assert looking["carol"].get("/carol/map/clusters?bbox=2,48&zoom=3").status_code == 400


def test_the_profile_links_to_the_map_and_the_map_to_the_grid(world):
    client = Client()
    client.force_login(world["bo"])
    profile = client.get("/ana/").content.decode()
    assert 'href="/ana/map/"' in profile
    drawn = client.get("/ana/map/").content.decode()
    assert 'href="/ana/"' in drawn and "/static/leaflet/leaflet.js" in drawn
    assert client.get("/static/leaflet/leaflet.js").status_code == 200
    code = world["berlin"][0]
    grid = client.get("/ana/map/photos/?bbox=13.405,52.52,13.405,52.52").content.decode()
    assert grid.count('href="/p/') == 1 and f'href="/p/{code}/"' in grid


def test_the_tile_setting_is_openstreetmap_none_or_a_checked_url(tmp_path):
    def load(**env):
        return config.load({"FILMROLL_DATA_DIR": str(tmp_path), **env}).map_tile_url

    assert load() == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert load(FILMROLL_MAP_TILE_URL="") == load()  # empty is unset, as for every setting
    assert load(FILMROLL_MAP_TILE_URL="none") == load(FILMROLL_MAP_TILE_URL="OFF") == ""
    subdomains = "https://{s}.tiles.example/{z}/{x}/{y}.png"
    assert load(FILMROLL_MAP_TILE_URL=subdomains) == subdomains
    assert photomap_page.tile_source(subdomains) == "https://*.tiles.example"
    for bad, says in [
        ("tiles.example/{z}/{x}/{y}.png", "absolute http(s) URL"),
        ("ftp://tiles.example/{z}/{x}/{y}.png", "absolute http(s) URL"),
        ("https://tiles.example/{z}/{x}.png", "{z}, {x} and {y}"),
        ("https://{z}.tiles.example/{x}/{y}.png", "{z}, {x} and {y}"),
        ("https://tiles.example/{z}/{x}/{y}.png; script-src *", "absolute http(s) URL"),
    ]:
        with pytest.raises(config.ConfigError, match=re.escape(says)):
            load(FILMROLL_MAP_TILE_URL=bad)
