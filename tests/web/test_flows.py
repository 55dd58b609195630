"""The web app's flows in a real browser (Debian's Chromium through Playwright), at desktop
(1280×800) and phone (390×844) sizes: each test acts as a person would and then checks the page
as it stands (the address, the counts, the elements), and that the browser's console stayed
free of errors (a script failing, a request refused by the Content-Security-Policy)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from filmroll.accounts.models import User
from filmroll.graph import relationships
from filmroll.media import comments, photos, shortcodes
from filmroll.web import account_settings, explore, pages
from tests.api.test_oauth import REDIRECT, register_app, web_login
from tests.support.images import jpeg_bytes, png_bytes, upload
from tests.support.personas import Api, make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Visit:
    """Browser tabs at one size, signed in as someone (or no one), whose console errors and
    uncaught script errors are collected for the test's end."""

    def __init__(self, browser, base: str, size: str) -> None:
        self.browser, self.base, self.size = browser, base, size
        self.errors: list[str] = []
        self.failed: list[str] = []  # addresses answered with an error, to tell which

    def tab(self, user: User | None = None, javascript: bool = True):
        context = self.browser.new_context(
            viewport=SIZES[self.size], java_script_enabled=javascript
        )
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.base}])
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        return page

    def go(self, page, path: str):
        answer = page.goto(self.base + path)
        return answer


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def visit(browser, live_server, size):
    seen = Visit(browser, live_server.url, size)
    yield seen
    assert seen.errors == [], (seen.errors, seen.failed)


def post(api: Api, caption: str = "", **fields) -> str:
    answer = upload(api, png_bytes(), caption=caption, **fields)
    assert answer.status_code == 201, answer.content
    return answer.json()["data"]["shortcode"]


def media_of(code: str):
    return photos.visible(None, shortcodes.decode(code))[0]


def follow(who: User, whom: User) -> None:
    relationships.act(who, whom, "follow")


# -- the five flows that broke -------------------------------------------------------------


def test_like_then_unlike_in_place_and_without_javascript(visit):
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    follow(bo, ana)
    code = post(ana_api, "pier")
    run_tasks()
    page = visit.tab(bo)
    visit.go(page, "/")
    page.evaluate("window.stillHere = true")
    card = page.locator(f"article#m{shortcodes.decode(code)}")
    card.get_by_role("button", name="Like", exact=True).click()
    page.locator("article.photo .likes", has_text="1 like").wait_for()
    assert media_of(code).likes == 1
    # the new card's forms come back to this page, not to the like address
    assert page.locator(".like-form input[name=next]").get_attribute("value").startswith("/#m")
    page.get_by_role("button", name="Liked", exact=True).click()
    page.locator("article.photo .likes", has_text="0 likes").wait_for()
    assert page.get_by_role("button", name="Liked", exact=True).count() == 0
    assert page.get_by_role("button", name="Like", exact=True).is_visible()
    assert page.evaluate("window.stillHere === true") and page.url == visit.base + "/"
    assert media_of(code).likes == 0

    plain = visit.tab(bo, javascript=False)
    visit.go(plain, "/")
    plain.get_by_role("button", name="Like", exact=True).click()
    plain.wait_for_url(re.compile(r"/#m\d+$"))
    assert plain.locator(".likes").inner_text() == "1 like"
    plain.get_by_role("button", name="Liked", exact=True).click()
    plain.wait_for_url(re.compile(r"/#m\d+$"))
    assert plain.locator(".likes").inner_text() == "0 likes"
    assert media_of(code).likes == 0


@pytest.mark.parametrize("where", ["tag", "place"])
def test_infinite_scroll_on_tag_and_place_pages_adds_only_the_next_photos(
    visit, monkeypatch, where
):
    monkeypatch.setattr(explore, "GRID_PAGE", 3)
    _, ana_api = make_user("ana")
    place = ana_api.post_json(
        "/api/v1/locations", {"name": "Pier 39", "lat": 37.8087, "lng": -122.4098}
    )
    assert place.status_code in (200, 201), place.content
    place_id = place.json()["data"]["id"]
    codes = [post(ana_api, f"#sunset no. {n}", location_id=place_id) for n in range(7)]
    run_tasks()  # the tag and place index
    path = "/explore/tags/sunset/" if where == "tag" else f"/explore/locations/{place_id}/"
    page = visit.tab()
    assert Client().get(path).content.decode().count('href="/p/') == 3  # a page is 3 photos
    visit.go(page, path)
    scroll_to_the_end(page)
    shown = [a.get_attribute("href") for a in page.locator("#list a").all()]
    assert shown == [f"/p/{c}/" for c in reversed(codes)]  # all, once each, newest first
    # the pieces added were photos alone: no second page inside the first
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    assert page.locator("#list > a").count() == 7


def scroll_to_the_end(page, most: int = 20) -> None:
    """Scroll to each "load more" link in turn until the list has none left, each load awaited
    (app.js loads the next page when the link comes into view)."""
    for _ in range(most):
        href = page.evaluate(
            """() => { const a = document.querySelector("p.more a[rel=next]");
                       a?.scrollIntoView(); return a ? a.getAttribute("href") : null; }"""
        )
        if href is None:
            return
        page.wait_for_function(
            "href => ![...document.querySelectorAll('p.more a')].some(a => a.getAttribute('href') === href)",
            arg=href,
        )
    raise AssertionError("the list did not end")


def test_a_logged_out_like_goes_to_log_in_and_back_to_the_photo(visit):
    _, ana_api = make_user("ana")
    make_user("bo")
    code = post(ana_api, "pier")
    for javascript in (True, False):
        page = visit.tab(javascript=javascript)
        visit.go(page, f"/p/{code}/")
        page.get_by_role("link", name="Like", exact=True).click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        assert parse_qs(urlsplit(page.url).query)["next"] == [f"/p/{code}/"]
        page.get_by_label("Username").fill("bo")
        page.get_by_label("Password").fill("a long test passphrase")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(visit.base + f"/p/{code}/")
        assert page.locator("article.photo").count() == 1
        page.get_by_role("button", name="Like" if javascript else "Liked", exact=True).click()
        page.locator(".likes", has_text="1 like" if javascript else "0 likes").wait_for()
        assert media_of(code).likes == (1 if javascript else 0)

    # a like form posted without a session (one drawn before it ended) goes to log in too, and
    # back to the page the form was on; app.js is told 401 and takes the whole page there
    nobody, form = Client(), {"next": f"/p/{code}/#m1"}
    plain = nobody.post(f"/p/{code}/like", form)
    assert (
        plain.status_code == 302 and plain["Location"] == f"/accounts/login/?next=%2Fp%2F{code}%2F"
    )
    fetched = nobody.post(f"/p/{code}/like", form, HTTP_X_REQUESTED_WITH="fetch")
    assert fetched.status_code == 401 and fetched["X-Log-In"] == plain["Location"]
    assert media_of(code).likes == 0  # as bo left it


def test_authorize_on_the_consent_page_reaches_the_app(visit):
    dev, _ = make_user("dev")
    client_id, _ = register_app(web_login("dev"))
    page = visit.tab(dev)
    reached: list[str] = []

    def app(route):  # the app at its redirect URI
        reached.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="the app")

    page.route(re.compile(r"^https://app\.example/.*"), app)
    query = f"client_id={client_id}&redirect_uri={REDIRECT}&response_type=code&scope=basic&state=s1"
    visit.go(page, f"/oauth/authorize/?{query}")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"^https://app\.example/callback\?"))
    got = parse_qs(urlsplit(page.url).query)
    assert got["state"] == ["s1"] and got["code"][0] and len(reached) == 1
    # the other pages keep forms to this site alone
    assert "form-action 'self';" in Client().get("/accounts/login/")["Content-Security-Policy"]


def test_commenting_updates_the_count_and_logged_out_visitors_see_the_comments(visit):
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    code = post(ana_api, "pier")
    comments.add(ana, shortcodes.decode(code), "first!")
    page = visit.tab(bo)
    visit.go(page, f"/p/{code}/")
    assert page.locator(".comment-count").text_content() == "1 comment"
    page.evaluate("window.stillHere = true")
    page.get_by_label("Add a comment").fill("Lovely light, @ana")
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator("p.comment", has_text="Lovely light").wait_for()
    assert page.locator(".comment-count").text_content() == "2 comments"
    assert page.locator("p.comment").count() == 2 and page.evaluate("window.stillHere === true")
    assert page.get_by_label("Add a comment").input_value() == ""

    # on the feed, the card shows the latest comments and counts the new one
    for n in range(3):
        comments.add(ana, shortcodes.decode(code), f"more {n}")
    follow(bo, ana)
    run_tasks()
    visit.go(page, "/")
    assert page.locator(".more-comments").inner_text() == "View all 5 comments"
    page.get_by_label("Add a comment").fill("and one more")
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator(".more-comments", has_text="View all 6 comments").wait_for()
    assert page.locator(".comment-count").text_content() == "6 comments"
    assert page.url == visit.base + "/"

    outside = visit.tab()
    visit.go(outside, f"/p/{code}/")
    assert outside.locator(".comment-count").text_content() == "6 comments"
    assert outside.locator("p.comment").count() == 6
    assert outside.locator("p.comment").first.inner_text().startswith("ana first!")
    assert outside.get_by_label("Add a comment").count() == 0
