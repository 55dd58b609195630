"""Kept cards (web/cards.py): a signed-in viewer's photo card is drawn once per form of its
object and kept; the page's CSRF token, its address and the times are spliced in. What the page
shows is exactly the card drawn afresh; so with the other pieces of every page kept (head links,
header, footer with its CSRF token spliced in): each page's bytes are what base.html drew."""

from __future__ import annotations

import re

import pytest
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.utils import translation

from filmroll.api import objects
from filmroll.graph import relationships
from filmroll.media import albums, comments, likes, people, photos, saved
from filmroll.places import places
from filmroll.web import cards
from filmroll.web.templatetags.filmroll import draw
from tests.support.images import jpeg_bytes, png_bytes
from tests.support.personas import PASSWORD, make_user
from tests.support.tasks import run_tasks


@pytest.fixture(autouse=True)
def fresh_cards():
    cards.forget()
    yield
    cards.forget()


def every_kind_of_card() -> tuple[list[dict], list[dict]]:
    """ana's photos of every kind (album, content warning, people in it, a place, comments with
    #tags and @mentions, liked and saved), as bo and as cy see them: bo liked and saved them."""
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    cy, _ = make_user("cy")
    pier = places.create(ana.id, places.check("Pier 39", "37.8087", "-122.4098"))
    posted = [
        photos.post(ana, png_bytes(), caption="light & <shade> #film @bo", location_id=pier),
        photos.post(ana, png_bytes(), sensitive=True, spoiler_text="spiders <3"),
        albums.post(
            ana,
            [jpeg_bytes((120, 90)), jpeg_bytes((90, 110))],
            caption="two",
            alt_texts=['cover "one"', "second"],
        ),  # fmt: skip
        photos.post(ana, png_bytes(), lat="48.1", lng="11.5"),
    ]
    people.tag(ana, posted[0], [(bo.id, 0.25, 0.5), (cy.id, 0.75, 0.5)])
    for n in range(5):
        comments.add(bo if n % 2 else cy, posted[0], f"comment {n} #tag @ana it's <b>")
    for media_id in posted[:2]:
        likes.like(bo, media_id)
        saved.save(bo, media_id)
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    rows = photos.visible_many(bo.id, posted)
    return objects.media_list(rows, bo.id, request), objects.media_list(rows, cy.id, request)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_kept_card_is_the_card_drawn_afresh(language):
    as_bo, as_cy = every_kind_of_card()
    token, back = 'tok<"en>&', '/?max_id=1&next="x"'  # what escaping would show
    with translation.override(language):
        for items in (as_bo, as_cy):
            fresh = "".join(draw(item, token, back) for item in items)
            assert cards.kept(items, token, back, draw) == fresh  # drawn and kept
            assert cards.kept(items, token, back, draw) == fresh  # from what was kept
    assert len(cards._kept) == len(as_bo) + 2  # bo liked and saved two: his differ from cy's


@translation.override("en")
def test_the_token_the_address_and_the_times_are_never_kept():
    as_bo, _ = every_kind_of_card()
    first = cards.kept(as_bo, "first-token", "/", draw)
    later = cards.kept(as_bo, "second-token", "/?max_id=5", draw)
    assert "first-token" in first and "first-token" not in later
    assert later.count('value="second-token"') == 3 * len(as_bo)  # like, save, comment
    assert later.count('value="/?max_id=5#m') == 3 * len(as_bo)
    assert ">now</time>" in later
    created = int(as_bo[0]["created_time"])
    assert cards.age_text(created, created + 3600) == "1h"
    with translation.override("de"):
        assert ">now</time>" not in cards.kept(as_bo, "t", "/", draw)


def test_an_object_holding_a_nul_is_drawn_each_time():
    """No slot could be told from its text: nothing stored holds one, but nothing is kept."""
    item = every_kind_of_card()[0][0]
    item["caption"]["text"] += "\x00c\x00"
    kept_before = len(cards._kept)
    assert cards.kept([item], "token", "/", draw) == draw(item, "token", "/")
    assert len(cards._kept) == kept_before


def test_home_pages_show_each_viewer_their_own_card_and_token():
    ana, _ = make_user("ana")
    viewers = {name: make_user(name)[0] for name in ("bo", "cy")}
    for person in viewers.values():
        relationships.act(person, ana, "follow")
    media_id = photos.post(ana, png_bytes(), caption="shared")
    likes.like(viewers["bo"], media_id)
    run_tasks()  # into their feeds
    pages = {}
    for name in viewers:
        browser = Client()
        browser.post("/accounts/login/", {"username": name, "password": PASSWORD})
        browser.get("/")  # drawn, then kept
        pages[name] = browser.get("/").content.decode()
    liked = 'class="icon-button liked" aria-pressed="true"'
    assert liked in pages["bo"] and liked not in pages["cy"]
    tokens = [set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
              for page in pages.values()]  # fmt: skip
    assert all(tokens) and not tokens[0] & tokens[1]


def test_the_kept_header_follows_the_person_the_page_and_the_unread_count():
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    browser = Client()
    browser.post("/accounts/login/", {"username": "bo", "password": PASSWORD})
    for _ in range(2):  # drawn, then kept
        home = browser.get("/").content.decode()
        explore = browser.get("/explore/").content.decode()
    assert '<a href="/" aria-current="page">' in home and 'href="/explore/" >' in home
    assert '<a href="/explore/" aria-current="page">' in explore and '<a href="/" >' in explore
    assert 'class="badge"' not in home and "(bo)" in home
    relationships.act(ana, bo, "follow")  # "ana started following you"
    run_tasks()
    assert 'aria-label="1 unread">1</span>' in browser.get("/").content.decode()
    other = Client()
    other.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    theirs = other.get("/").content.decode()
    assert "(ana)" in theirs and "(bo)" not in theirs and 'class="badge"' not in theirs


def drawn_afresh(settings) -> None:
    """Pages from here on are drawn as before the pieces of base.html were kept: each piece
    drawn by the template engine every time, in place, and Django's own static files storage."""
    source = get_template("web/base.html").template.source
    for tag, piece in [("head_links", "_head_links"), ("header", "_header"), ("footer", "_footer")]:
        assert source.count(f"{{% {tag} %}}") == 1
        source = source.replace(f"{{% {tag} %}}", f'{{% include "web/{piece}.html" %}}')
    (options,) = [{**t["OPTIONS"]} for t in settings.TEMPLATES]
    options["loaders"] = [("django.template.loaders.locmem.Loader", {"web/base.html": source}),
                          "django.template.loaders.app_directories.Loader"]  # fmt: skip
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "APP_DIRS": False, "OPTIONS": options}]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip


def masked(page: bytes) -> str:
    """The page with its CSRF tokens (a fresh mask every response) as one word."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" '
                  'value="T"', page.decode())  # fmt: skip


def test_every_page_is_what_the_template_drew_before(settings):
    """Signed in and out, in English and German: the same bytes as base.html drawing its header
    and footer itself (tokens aside), from the kept pieces and when they are first drawn."""
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    relationships.act(bo, ana, "follow")
    code = objects.media_list(photos.visible_many(bo.id, [photos.post(ana, png_bytes(),
        caption="first")]), bo.id, RequestFactory().get("/"))[0]["shortcode"]  # fmt: skip
    run_tasks()
    pages = {True: ["/", "/explore/", "/activity/", "/ana/", f"/p/{code}/", "/settings/"],
             False: ["/", "/explore/", "/ana/", f"/p/{code}/", "/accounts/login/"]}  # fmt: skip

    def every_page() -> dict[tuple, str]:
        got = {}
        for signed_in, paths in pages.items():
            browser = Client()
            if signed_in:
                browser.force_login(bo)
            for language in ("en", "de"):
                for path in paths:
                    answer = browser.get(path, HTTP_ACCEPT_LANGUAGE=language)
                    assert answer.status_code == 200, (path, answer.status_code)
                    got[signed_in, language, path] = masked(answer.content)
        return got

    kept_first, kept_later = every_page(), every_page()
    drawn_afresh(settings)
    before = every_page()
    assert kept_first == before and kept_later == before
    assert "Angemeldet als bo" in before[True, "de", "/"]
    seams = [  # where the kept pieces meet the page, as base.html drew them before
        '(prefers-color-scheme: dark)">\n  <link rel="icon" href="/static/filmroll/favicon.svg" '
        'type="image/svg+xml">\n  <link rel="manifest" href="/static/filmroll/manifest.'
        'webmanifest">\n  <link rel="stylesheet" href="/static/filmroll/filmroll.css">\n  ',
        '<body class="has-tabs">\n  <a class="skip-link" href="#main">Skip to content</a>\n  '
        '<header class="site-header">',
        '</main>\n  <footer class="site-footer">',
        '</footer>\n  <script src="/static/filmroll/app.js" type="module"></script>\n</body>',
    ]
    for page in (kept_later[True, "en", "/"], kept_later[False, "en", "/explore/"]):
        assert all(seam in page for seam in seams)


def footer_of(page: bytes) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', page.decode(), re.S).group(0)


def test_the_footer_token_is_the_response_own_and_logs_out():
    bo, _ = make_user("bo")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bo)
    tokens = []
    for _ in range(3):
        footer = footer_of(browser.get("/").content)
        tokens += re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', footer)
    assert len(tokens) == 3 == len(set(tokens))  # a fresh mask each response, none kept
    refused = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    assert browser.get("/").content.count(b"Signed in as bo") == 1
    out = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[0]})
    assert out.status_code == 302
    assert b"Signed in as" not in browser.get("/").content


def test_people_and_languages_never_get_each_other_footer():
    browsers = {}
    for name in ("bo", "cy"):
        browsers[name] = Client()
        browsers[name].force_login(make_user(name)[0])
    for _ in range(2):  # drawn, then kept
        footers = {(name, language): footer_of(browser.get("/", HTTP_ACCEPT_LANGUAGE=language)
                                                .content)
                   for name, browser in browsers.items() for language in ("en", "de")}  # fmt: skip
        footers["nobody", "en"] = footer_of(Client().get("/explore/").content)
        assert "Signed in as bo<" in footers["bo", "en"] and "Log out" in footers["bo", "en"]
        assert "Angemeldet als cy<" in footers["cy", "de"] and "Abmelden" in footers["cy", "de"]
        assert "Signed in as cy<" in footers["cy", "en"]
        assert "Angemeldet als bo<" in footers["bo", "de"]
        assert "Signed in" not in footers["nobody", "en"] and "<form" not in footers["nobody", "en"]
        assert len({masked(f.encode()) for f in footers.values()}) == len(footers)


def test_static_urls_are_django_own_worked_out_once():
    from django.contrib.staticfiles.storage import StaticFilesStorage

    from filmroll.staticfiles import KeptUrls

    django_own, kept = StaticFilesStorage(), KeptUrls()
    for name in ["filmroll/app.js", "a b/ü?.css", "/lead.svg", "x#y", ""]:
        assert kept.url(name) == django_own.url(name) == kept.url(name)
    assert kept._urls["a b/ü?.css"] == "/static/a%20b/%C3%BC%3F.css"


def test_a_changed_static_url_reaches_the_kept_head_and_footer(settings):
    """Tests change STATIC_URL (production never does within a process): the kept head links
    and footer script follow it, as base.html drawing them itself did."""
    bo, _ = make_user("bo")
    browser = Client()
    browser.force_login(bo)
    for signed_in in (Client(), browser):
        signed_in.get("/explore/")  # drawn and kept under /static/
    settings.STATIC_URL = "/assets/"
    for signed_in in (Client(), browser):
        page = signed_in.get("/explore/").content.decode()
        assert '<script src="/assets/filmroll/app.js"' in page
        assert 'href="/assets/filmroll/filmroll.css"' in page and "/static/" not in page
