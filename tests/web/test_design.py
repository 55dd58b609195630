"""The design, page by page, in Debian's Chromium: every page at a desktop (1280×800) and a phone
(390×844) size, in the light and the dark theme, is checked by axe-core (no serious or critical
violation), logs no console error, and is photographed into var/…/screenshots/design/. On a
phone the navigation takes at most 60 px. `scripts/screenshots` runs this and copies a chosen set
of the shots, compressed, into docs/screenshots/ and rewrites docs/screenshots.md.

One world is built once (people, photos, a place, a tag, likes, comments, a follow request, an
OAuth app), then each page is opened once per size and drawn in both themes without reloading:
one browser, two contexts per person."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import random
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from oauth2_provider.models import Application

from filmroll.accounts.models import User
from filmroll.discovery import popular
from filmroll.feeds.store import store as feed_store
from filmroll.graph import relationships
from filmroll.media import albums, comments, likes, photos, saved, shortcodes
from filmroll.media.people import tag as tag_people
from filmroll.media.samples import paint
from filmroll.places import places
from filmroll.urls import handler403, handler500
from filmroll.web.templatetags.filmroll import ago
from tests.support.browser import SHOTS
from tests.support.personas import make_user
from tests.support.servers import free_port
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]

AXE_VERSION = "4.10.2"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
THEMES = ("light", "dark")
REDIRECT = "https://app.example/callback"


def axe_source() -> str:
    """axe-core's axe.min.js, installed by scripts/test-packages under var/axe (or here, once)."""
    where = Path(settings.FILMROLL.data_dir).parent / "axe"
    script = where / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        assert npm, "npm is missing: `make test-embedded` installs Debian's nodejs and npm"
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(where), "--no-audit", "--no-fund",
             f"axe-core@{AXE_VERSION}"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return script.read_text()


def jpeg(seed: int, width: int = 640, height: int = 640) -> bytes:
    buffer = io.BytesIO()
    paint(random.Random(seed), width, height).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def session_cookie(user: User, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}  # fmt: skip


# Every page the design test draws: (name, who looks, path, its {placeholders} filled in by
# build_world). Pages reached by a button, not an address, are in CLICKS; the status a page
# answers with, when not 200, in STATUS. scripts/gallery.py shows each of them.
PAGES = [
    ("welcome", None, "/"),
    ("signup", None, "/accounts/signup/"),
    ("login", None, "/accounts/login/"),
    ("password-reset", None, "/accounts/reset/"),
    ("feed", "bo", "/"),
    ("feed-empty", "cy", "/"),
    ("photo", "bo", "/p/{code}/"),
    ("photo-album", "bo", "/p/{album}/"),
    ("edit", "bo", "/p/{own}/edit"),
    ("profile", "bo", "/ana/"),
    ("profile-private", "cy", "/carol/"),
    ("block-confirm", "bo", "/ana/"),
    ("mute-confirm", "bo", "/ana/"),
    ("followers", None, "/ana/followers/"),
    ("following", "bo", "/bo/following/"),
    ("photo-map", "bo", "/ana/map/"),
    ("saved", "bo", "/bo/saved/"),
    ("profile-tagged", "cy", "/bo/tagged/"),
    ("explore", "bo", "/explore/"),
    ("tag", "bo", "/explore/tags/sunset/"),
    ("place", "bo", "/explore/locations/{pier}/"),
    ("nearby", "bo", "/explore/nearby/?lat=37.8087&lng=-122.4098&distance=1000"),
    ("people", "bo", "/explore/people/?q=a"),
    ("activity", "bo", "/activity/"),
    ("activity-following", "bo", "/activity/following/"),
    ("upload", "bo", "/upload/"),
    ("settings", "bo", "/settings/"),
    ("password", "bo", "/settings/password/"),
    ("two-factor", "bo", "/settings/two-factor/"),
    ("delete-account", "bo", "/settings/delete/"),
    ("data", "bo", "/settings/data/"),
    ("requests", "carol", "/activity/requests/"),
    ("oauth-authorize", "bo", "{oauth}"),
    ("api-docs", None, "/api/v1/docs"),
    ("not-found", "bo", "/p/AAAAAAAAAAA/"),
    ("forbidden", "bo", "/p/{code}/edit"),  # another's photo: the 403 page
]
CLICKS = {"block-confirm": ("Block", "Block ana?"), "mute-confirm": ("Mute", "Mute ana?")}
STATUS = {"not-found": 404, "forbidden": 403}


def build_world() -> dict:
    """People, photos and what happens between them; the paths the pages need."""
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    cy, _ = make_user("cy")
    carol, _ = make_user("carol", private=True)
    User.objects.filter(id=ana.id).update(
        bio="Light, water and the city at dusk.", website="https://ana.example/"
    )
    pier = places.create(ana.id, places.check("Pier 39", "37.8087", "-122.4098"))
    # a photo behind a content warning, drawn blurred in every list it is in
    warned = photos.post(ana, jpeg(5), caption="The last scene #sunset", sensitive=True,
                         spoiler_text="Spoilers for the film")  # fmt: skip
    made = [
        photos.post(ana, jpeg(seed), caption=text, filter_name=name, location_id=pier)
        for seed, text, name in [
            (1, "Evening at the pier #sunset", "clarendon"),
            (2, "Fog rolling in #sunset #fog", "gingham"),
            (3, "Morning swim", "normal"),
            (4, "", "moon"),
        ]
    ]
    # an album of three, its cover in the grids and the feed, its strip on its page and card
    album = albums.post(ana, [jpeg(9), jpeg(10, 640, 480), jpeg(11, 512, 640)],
                        caption="Three from the ferry #sunset", location_id=pier,
                        filter_names=["normal", "valencia", "moon"],
                        alt_texts=["The ferry's wake", "The bridge in fog", ""])  # fmt: skip
    own = photos.post(bo, jpeg(7), caption="My new camera #fog", filter_name="juno")
    photos.post(carol, jpeg(8), caption="Only for friends")
    relationships.follow(bo, ana)
    relationships.follow(ana, bo)
    relationships.follow(cy, carol)  # a request: carol is private
    for person in (bo, cy):
        likes.like(person, made[0])
    comments.add(bo, made[0], "Lovely light!")
    comments.add(cy, made[0], "Where is this? @ana")
    comments.add(ana, made[0], "Pier 39, just after eight")
    comments.add(ana, own, "Welcome to filmroll @bo")
    likes.like(ana, own)
    saved.save(bo, made[0])
    saved.save(bo, warned)
    tag_people(ana, made[0], [(bo.id, 0.3, 0.6), (cy.id, 0.7, 0.4)])  # bo sees his buttons
    run_tasks()  # fan-out into feeds, the index, activity
    popular.refresh()
    owner = User.objects.get(username="ana")
    app = Application.objects.create(
        name="Printshop", user=owner, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=REDIRECT,
    )  # fmt: skip
    code = shortcodes.encode(made[0])
    oauth = (f"/oauth/authorize/?client_id={app.client_id}&response_type=code"
             f"&redirect_uri={REDIRECT}&scope=basic&state=xyz")  # fmt: skip
    values = {
        "code": code,
        "own": shortcodes.encode(own),
        "album": shortcodes.encode(album),
        "pier": pier,
        "oauth": oauth,
    }
    pages = [(name, who, path.format(**values)) for name, who, path in PAGES]
    people = {u.username: u for u in User.objects.filter(username__in=["bo", "cy", "carol"])}
    return {"pages": pages, "people": people}


def run_axe(page, source: str) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)  # through DevTools: the page's CSP allows no injected script
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_every_page_is_accessible_in_both_themes_at_both_sizes(browser, live_server, settings):
    base = live_server.url
    # the Photo Map without tiles: the tests reach no network
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, map_tile_url="")
    source = axe_source()
    world = build_world()
    shots = SHOTS / "design"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    errors: list[str] = []
    spent: Counter[str] = Counter()  # seconds per step, printed: where the run's time goes
    for size, viewport in SIZES.items():
        contexts = {}
        for who in (None, "bo", "cy", "carol"):
            context = browser.new_context(viewport=viewport)
            if who:
                context.add_cookies([session_cookie(world["people"][who], base)])
            contexts[who] = context.new_page()
        for page in contexts.values():
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
        for name, who, path in world["pages"]:
            page = contexts[who]
            errors.clear()
            started = time.perf_counter()
            answer = page.goto(base + path)
            if name == "api-docs":
                page.locator("redoc h1").first.wait_for()  # drawn by its script
            expected = STATUS.get(name, 200)
            assert answer.status == expected, f"{name}: {answer.status}"
            if name in CLICKS:  # the page a button opens: the confirmation it asks
                button, heading = CLICKS[name]
                page.get_by_role("button", name=button, exact=True).click()
                page.get_by_role("heading", name=heading).wait_for()
            # (a 4xx page's own "failed to load resource" line is the page itself, not a fault)
            faults = [e for e in errors if not (name in STATUS and str(expected) in e)]
            if faults:
                problems.append(f"{name} {size}: console: {faults}")
            spent["load"] += time.perf_counter() - started
            if name == "feed-empty":  # people to follow, never the viewer
                shown = page.locator(".suggestions .people strong").all_inner_texts()
                assert "ana" in shown and "cy" not in shown, shown
            if name == "profile-private":
                assert page.get_by_role("button", name="Requested").is_visible()
            if name == "photo-map":  # the clusters are drawn before axe looks
                page.locator(".map-cluster").first.wait_for()
            if name != "api-docs":
                assert page.locator("h1").count() == 1, f"{name}: one h1"
                for landmark in ("header", "main", "footer"):
                    assert page.locator(landmark).count() >= 1, f"{name}: {landmark}"
            if size == "phone" and name != "api-docs":
                nav = page.locator("nav.tabs").bounding_box()
                header = page.locator("header.site-header").bounding_box()
                assert nav["height"] <= 60 and header["height"] <= 60, (name, nav, header)
                assert nav["y"] + nav["height"] == pytest.approx(viewport["height"], abs=1)
            for theme in THEMES:
                page.emulate_media(color_scheme=theme)
                started = time.perf_counter()
                for v in run_axe(page, source):
                    problems.append(f"{name} {size} {theme}: {json.dumps(v)}")
                spent["axe"] += time.perf_counter() - started
                started = time.perf_counter()
                page.screenshot(path=str(shots / f"{name}-{size}-{theme}.png"))
                spent["screenshot"] += time.perf_counter() - started
            page.emulate_media(color_scheme="light")
        for page in contexts.values():
            page.context.close()
    print("\ndesign pages, seconds spent:", {k: round(v, 1) for k, v in spent.items()})
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_the_skip_link_the_nav_and_the_like_button(browser, live_server):
    base = live_server.url
    world = build_world()
    page = browser.new_context(viewport=SIZES["phone"]).new_page()
    page.context.add_cookies([session_cookie(world["people"]["bo"], base)])
    page.goto(base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link" and page.locator(".skip-link").is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # from the main content, Tab reaches the first card's like button by keyboard alone
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.like-form button')"):
            break
    else:
        pytest.fail("the like button is not reachable by Tab")
    page.keyboard.press("Enter")
    page.locator("article.photo").first.locator("button[aria-pressed=true]").wait_for()
    # the first card is bo's own newest photo, which ana liked
    assert page.locator("article.photo .likes").first.inner_text() == "2 likes"


def test_error_pages_are_the_apps_own(browser, live_server, rf, settings):
    page = browser.new_context(viewport=SIZES["phone"]).new_page()
    answer = page.goto(live_server.url + "/no/such/page/here")
    assert answer.status == 404
    assert page.locator("h1").inner_text() == "Sorry, this page isn't here"
    assert page.locator("link[rel=stylesheet]").get_attribute("href").endswith("filmroll.css")
    request = rf.get("/boom/")
    drawn = handler500(request).content.decode()  # without a request context, as Django does
    assert "Something went wrong on our side" in drawn and "filmroll.css" in drawn
    refused = handler403(request, PermissionDenied())
    assert refused.status_code == 403 and "open this page" in refused.content.decode()
    assert "filmroll.css" in refused.content.decode()
    assert page.goto(live_server.url + "/favicon.ico").url.endswith("favicon.svg")
    _the_503_page(page, live_server.url, settings)
    manifest = page.goto(live_server.url + "/static/filmroll/manifest.webmanifest").json()
    assert manifest["start_url"] == "/" and manifest["icons"]
    for icon in manifest["icons"]:
        assert page.goto(live_server.url + icon["src"]).status == 200


def _the_503_page(page, base: str, settings) -> None:
    """A fault that is the service's state (here the feed's Redis gone): the page that says to
    try again (web/unavailable.py), checked by axe in both themes."""
    ana, _ = make_user("ana")
    page.context.add_cookies([session_cookie(ana, base)])
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=(f"redis://127.0.0.1:{free_port()}/0",)
    )  # nothing listens there
    feed_store.cache_clear()
    try:
        answer = page.goto(base + "/")
    finally:
        feed_store.cache_clear()
    assert answer.status == 503 and int(answer.headers["retry-after"]) > 0
    assert page.locator("h1").inner_text() == "This can't be done right now"
    assert page.locator("link[rel=stylesheet]").get_attribute("href").endswith("filmroll.css")
    source = axe_source()
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        assert run_axe(page, source) == [], theme
    page.emulate_media(color_scheme="light")
    page.context.clear_cookies()


def test_first_paint_of_the_home_feed_on_a_phone(browser, live_server):
    """Reported, not asserted: the machine is shared and timings vary."""
    base = live_server.url
    world = build_world()
    context = browser.new_context(viewport=SIZES["phone"])  # a new context: an empty cache
    context.add_cookies([session_cookie(world["people"]["bo"], base)])
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_load_state("load")
    timing = page.evaluate(
        """async () => {
          // a loaded machine may record the paint after the load event: wait for it (10 s)
          await new Promise(resolve => {
            if (performance.getEntriesByName('first-contentful-paint').length) return resolve();
            new PerformanceObserver(() => resolve()).observe({type: 'paint', buffered: true});
            setTimeout(resolve, 10000);
          });
          const nav = performance.getEntriesByType('navigation')[0];
          const paint = Object.fromEntries(
            performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
          return {ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd,
                  load: nav.loadEventEnd, bytes: nav.transferSize,
                  fp: paint['first-paint'] ?? paint['first-contentful-paint'],
                  fcp: paint['first-contentful-paint']};
        }"""
    )
    assert timing["fcp"] is not None and timing["fcp"] > 0
    print(
        f"\nhome feed, phone, empty cache: first paint {timing['fp']:.0f} ms, first contentful "
        f"paint {timing['fcp']:.0f} ms, response start {timing['ttfb']:.0f} ms, DOM ready "
        f"{timing['dcl']:.0f} ms, load {timing['load']:.0f} ms, page {timing['bytes']} bytes"
    )
    context.close()


def test_the_gallery_shows_every_page_the_design_test_draws():
    """docs/screenshots.md has each page's kept shots (scripts/gallery.py), committed."""
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("gallery", root / "scripts" / "gallery.py")
    assert spec and spec.loader
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    assert list(gallery.PAGES) == [name for name, _, _ in PAGES]
    text = (root / "docs" / "screenshots.md").read_text()
    for name, title in gallery.PAGES.items():
        assert f"## {title}\n" in text, name
        for size, theme, _ in gallery.KEPT:
            shot = f"screenshots/{name}-{size}-{theme}.png"
            assert f"]({shot})" in text and (root / "docs" / shot).is_file(), shot


def test_times_are_short_with_the_exact_time_on_hover():
    now = 1_700_000_000
    assert "now" in ago(now - 20, now)
    assert ">5m<" in ago(now - 300, now) and ">3h<" in ago(now - 3 * 3600, now)
    assert ">2d<" in ago(now - 2 * 86400, now) and ">4w<" in ago(now - 29 * 86400, now)
    drawn = ago(now, now)
    assert 'datetime="2023-11-14T22:13:20Z"' in drawn and 'title="2023-11-14 22:13 UTC"' in drawn
