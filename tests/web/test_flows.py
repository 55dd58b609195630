"""The web app's flows in a real browser (Debian's Chromium through Playwright), at desktop
(1280×800) and phone (390×844) sizes: each test acts as a person would and then checks the page
as it stands (the address, the counts, the elements), and that the browser's console stayed
free of errors (a script failing, a request refused by the Content-Security-Policy)."""

from __future__ import annotations

import dataclasses
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from PIL import Image, ImageChops

from filmroll.accounts import users
from filmroll.accounts.models import User
from filmroll.files import storage
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
        self.failed: list[str] = []  # what a page loaded and was refused, to tell which
        self.pages: list[str] = []  # pages opened that answered 4xx (the test checks them)

    def tab(
        self, user: User | None = None, javascript: bool = True, touch: bool = False,
        locale: str | None = None,
    ):  # fmt: skip
        # `touch`: at the phone size, lay the page out as a phone does (a page wider than the
        # screen is shown zoomed out, the way it then is on one) and tap with a finger;
        # `locale`: the language the browser asks for ("de-DE" for the German pages)
        phone = touch and self.size == "phone"
        context = self.browser.new_context(
            viewport=SIZES[self.size], java_script_enabled=javascript,
            is_mobile=phone, has_touch=phone, locale=locale,
        )  # fmt: skip
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.base}])
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(self._said(m)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._answered)
        return page

    def _said(self, message) -> str:
        return f"{message.text} ({message.location.get('url', '')})"

    def _answered(self, response) -> None:
        if response.status >= 400:
            # a page the test opened on purpose (a 404 after a delete, a form's 400) is checked
            # by the test; the console's line about it is no script's failure
            kind = response.request.resource_type
            (self.pages if kind == "document" else self.failed).append(response.url)

    def problems(self) -> list[str]:
        return [
            e for e in self.errors
            if not (e.startswith("Failed to load resource") and e.endswith(
                tuple(f"({url})" for url in self.pages)))
        ]  # fmt: skip

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
    assert seen.problems() == [], (seen.errors, seen.failed)


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


def test_a_photo_page_with_many_comments_links_to_the_older_ones(visit, monkeypatch):
    monkeypatch.setattr(pages, "COMMENTS_PAGE", 3)
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    code = post(ana_api, "pier")
    for n in range(7):
        comments.add(bo, shortcodes.decode(code), f"comment no. {n}")
    page = visit.tab(ana)
    visit.go(page, f"/p/{code}/")
    said = []
    while True:  # the newest page first, each below the link to the one before it
        shown = [t.split("comment no. ")[1].split()[0] for t in
                 page.locator("p.comment").all_inner_texts()]  # fmt: skip
        said = shown + said
        older = page.get_by_role("link", name="View older comments")
        if older.count() == 0:
            break
        older.click()
        page.wait_for_url(re.compile(r"\?max_id=\d+$"))
    assert said == [str(n) for n in range(7)]
    assert page.locator(".comment-count").first.text_content() == "7 comments"
    # liking in place on the photo's page keeps the link to the older comments
    visit.go(page, f"/p/{code}/")
    page.get_by_role("button", name="Like", exact=True).click()
    page.get_by_role("button", name="Liked", exact=True).wait_for()
    assert page.locator("p.comment").count() == 3
    assert page.get_by_role("link", name="View older comments").count() == 1


# -- lists that go on ----------------------------------------------------------------------


def test_every_list_loads_more_as_you_scroll_with_no_repeats_and_no_gaps(visit, monkeypatch):
    from filmroll.discovery import popular

    for module, name in ((pages, "FEED_PAGE"), (pages, "PROFILE_PAGE"), (pages, "ACTIVITY_PAGE"),
                         (explore, "GRID_PAGE"), (account_settings, "PEOPLE_PAGE")):  # fmt: skip
        monkeypatch.setattr(module, name, 3)
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    fans = [make_user(f"fan{n}")[0] for n in range(7)]
    follow(bo, ana)
    for fan in fans:
        follow(fan, ana)
        follow(bo, fan)
    codes = [post(ana_api, f"no. {n}") for n in range(8)]
    for n, code in enumerate(codes):
        comments.add(bo, shortcodes.decode(code), f"nice {n}")  # ana's activity: 8 comments
    run_tasks()
    popular.refresh()
    newest_first = [f"/p/{c}/" for c in reversed(codes)]
    lists = {
        "/": (bo, "#list > article", "id", [f"m{shortcodes.decode(c)}" for c in reversed(codes)]),
        "/ana/": (None, "#list > a", "href", newest_first),
        "/explore/": (None, "#list > a", "href", None),  # ranked: the set is checked
        "/activity/": (ana, "#list > li", "id", None),  # 8 comments, 8 follows (grouped)
        "/ana/followers/": (None, "#list > li", "id", None),
        "/bo/following/": (None, "#list > li", "id", None),
    }
    sizes = {"/explore/": 8, "/ana/followers/": 8, "/bo/following/": 8}
    for path, (who, items, attribute, expected) in lists.items():
        page = visit.tab(who)
        visit.go(page, path)
        scroll_to_the_end(page)
        found = [e.get_attribute(attribute) for e in page.locator(items).all()]
        if expected is not None:
            assert found == expected, path
        elif path == "/activity/":
            said = page.locator("#list > li", has_text="commented on your photo").all_inner_texts()
            assert sorted(t.split(": ")[1].split()[:2][1] for t in said) == [
                str(n) for n in range(8)
            ]
            followed = page.locator("#list > li", has_text="started following you")
            names = {a for li in followed.all() for a in li.locator(".what > a").all_inner_texts()}
            assert names == {"bo", *(f"fan{n}" for n in range(7))}
            assert len(found) == len(set(found))
        else:
            assert len(found) == len(set(found)) == sizes[path], (path, found)
        assert page.locator("h1").count() == 1, path
        page.context.close()
    # without JavaScript, "load more" is a link to the next page
    plain = visit.tab(javascript=False)
    visit.go(plain, "/ana/")
    seen = []
    while True:
        seen += [a.get_attribute("href") for a in plain.locator("#list > a").all()]
        more = plain.get_by_role("link", name="Load more")
        if more.count() == 0:
            break
        more.click()
        plain.wait_for_load_state()
    assert seen == newest_first


def test_nearby_photos_and_follow_requests_load_more_too(visit, monkeypatch):
    """The two lists that stopped (at 30 photos nearby, at 100 requests) go on like the rest."""
    monkeypatch.setattr(explore, "GRID_PAGE", 3)
    monkeypatch.setattr(account_settings, "REQUESTS_PAGE", 3)
    ana, _ = make_user("ana", private=True)
    askers = [make_user(f"fan{n}")[0] for n in range(7)]
    for asker in askers:
        follow(asker, ana)  # ana is private: each is a request
    _, bo_api = make_user("bo")
    place = bo_api.post_json("/api/v1/locations", {"name": "Pier", "lat": 1.5, "lng": 2.5})
    place_id = place.json()["data"]["id"]
    codes = [post(bo_api, f"no. {n}", location_id=place_id) for n in range(7)]
    run_tasks()  # the place index
    lists = {
        "/explore/nearby/?lat=1.5&lng=2.5&distance=1000": (
            None, "#list > a", "href", [f"/p/{c}/" for c in reversed(codes)]),
        "/activity/requests/": (
            ana, "#list > li", "id", [f"u{a.id}" for a in sorted(askers, key=lambda a: -a.id)]),
    }  # fmt: skip
    for path, (who, items, attribute, expected) in lists.items():
        plain = visit.tab(who, javascript=False)  # (app.js may load on at once)
        visit.go(plain, path)
        assert plain.locator(items).count() == 3, path  # one page, then "load more"
        assert plain.get_by_role("link", name="Load more").count() == 1, path
        plain.context.close()
        page = visit.tab(who)
        visit.go(page, path)
        scroll_to_the_end(page)
        assert [e.get_attribute(attribute) for e in page.locator(items).all()] == expected, path
        assert page.locator("h1").count() == 1, path
        page.context.close()
    # without JavaScript, the requests' "load more" opens the next page, whose buttons answer
    plain = visit.tab(ana, javascript=False)
    visit.go(plain, "/activity/requests/")
    plain.get_by_role("link", name="Load more").click()
    plain.wait_for_load_state()
    assert "max_id=" in plain.url and plain.locator("#list > li").count() == 3
    plain.locator("#list > li").first.get_by_role("button", name="Approve").click()
    plain.wait_for_url(visit.base + "/activity/requests/")
    assert plain.locator("#list > li").count() == 3  # six left: a page of three, and more


# -- captions, comments, times, avatars ----------------------------------------------------


def test_tags_and_mentions_are_links_and_markup_stays_text(visit):
    ana, ana_api = make_user("ana")
    make_user("bo")
    users.set_avatar(ana, jpeg_bytes())
    code = post(ana_api, "Evening #Sunset with @bo <b>bold</b> & more")
    comments.add(ana, shortcodes.decode(code), "thanks @bo, see #pier <script>x</script>")
    page = visit.tab()
    visit.go(page, f"/p/{code}/")
    caption = page.locator("p.caption")
    assert (
        caption.get_by_role("link", name="#Sunset").get_attribute("href") == "/explore/tags/sunset/"
    )
    assert caption.get_by_role("link", name="@bo").get_attribute("href") == "/bo/"
    assert "<b>bold</b> & more" in caption.inner_text() and caption.locator("b").count() == 0
    said = page.locator("p.comment").first
    assert said.get_by_role("link", name="#pier").count() == 1
    assert "<script>x</script>" in said.inner_text() and page.locator("main script").count() == 0
    # a relative time, the exact one on hover and in the datetime attribute
    when = page.locator("article.photo header time")
    assert re.fullmatch(r"now|\d+[mhdw]", when.inner_text())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when.get_attribute("datetime"))
    assert when.get_attribute("title")
    assert said.locator("time[datetime]").count() == 1
    # the uploaded avatar, on the card, the comment and the profile, and it loads
    ana.refresh_from_db()
    faces = page.locator("article.photo img.avatar")
    assert all(ana.avatar_key in f.get_attribute("src") for f in faces.all())
    assert faces.first.evaluate("img => img.complete && img.naturalWidth > 0")
    caption.get_by_role("link", name="#Sunset").click()
    page.wait_for_url(visit.base + "/explore/tags/sunset/")
    visit.go(page, "/ana/")
    assert ana.avatar_key in page.locator("img.avatar.big").get_attribute("src")


def test_a_comment_s_avatar_is_small_and_on_its_line_on_the_feed_and_the_photo(visit):
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    follow(bo, ana)
    code = post(ana_api, "pier")
    comments.add(bo, shortcodes.decode(code), "a comment long enough to wrap on a phone, " * 3)
    run_tasks()
    page = visit.tab(bo)
    for path in ("/", f"/p/{code}/"):
        visit.go(page, path)
        said = page.locator("p.comment").first
        face = said.locator("img.avatar").bounding_box()
        name = said.locator("strong").bounding_box()
        assert (face["width"], face["height"]) == (20, 20), path  # its width/height attributes
        # centred on the name's line, not standing on the baseline above it
        assert abs((face["y"] + 10) - (name["y"] + name["height"] / 2)) <= 3, (path, face, name)


def test_avatars_in_people_lists_and_activity(visit):
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    users.set_avatar(bo, jpeg_bytes())
    bo.refresh_from_db()
    follow(bo, ana)
    page = visit.tab(ana)
    visit.go(page, "/activity/")
    assert bo.avatar_key in page.locator("li.event img.avatar").get_attribute("src")
    visit.go(page, "/ana/followers/")
    assert bo.avatar_key in page.locator("#list img.avatar").get_attribute("src")
    assert page.locator("#list img.avatar").evaluate("img => img.naturalWidth > 0")


# -- your own photo: edit, delete; and others' refused ---------------------------------------


def test_the_owner_edits_caption_alt_text_and_place_then_deletes(visit):
    ana, ana_api = make_user("ana")
    code = post(ana_api, "before")
    page = visit.tab(ana)
    visit.go(page, f"/p/{code}/")
    page.get_by_role("link", name="Edit caption or place").click()
    page.wait_for_url(visit.base + f"/p/{code}/edit")
    page.get_by_label("Caption").fill("after #dusk")
    page.get_by_label(re.compile("Alt text")).fill("A pier at dusk, gulls overhead")
    page.get_by_label("New place's name").fill("Pier 39")
    page.get_by_label("Latitude").fill("37.8087")
    page.get_by_label("Longitude").fill("-122.4098")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(visit.base + f"/p/{code}/")
    assert page.locator("p.caption").inner_text().endswith("after #dusk")
    assert page.locator("article.photo .place").inner_text() == "Pier 39"
    assert page.locator(".shot img").get_attribute("alt") == "A pier at dusk, gulls overhead"
    edited = media_of(code)
    assert edited.caption == "after #dusk" and edited.location_id is not None

    visit.go(page, f"/p/{code}/edit")
    page.get_by_label("Remove the place").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(visit.base + f"/p/{code}/")
    assert page.locator("article.photo .place").count() == 0

    page.get_by_text("Delete this photo").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_url(visit.base + "/ana/?deleted=1")
    assert page.get_by_role("status").inner_text() == "The photo is deleted."
    assert page.locator("#list > a").count() == 0
    assert page.goto(visit.base + f"/p/{code}/").status == 404


def test_others_cannot_edit_delete_like_hidden_or_comment_across_a_block(visit):
    alice, alice_api = make_user("alice")
    carol, carol_api = make_user("carol", private=True)
    bo, _ = make_user("bo")
    dan, _ = make_user("dan")
    relationships.act(alice, dan, "block")
    mine = post(alice_api, "alice's own")
    hidden = post(carol_api, "carol's, for followers")
    page = visit.tab(bo)
    # the edit page and the owner's links are the owner's alone
    assert page.goto(visit.base + f"/p/{mine}/edit").status == 403
    visit.go(page, f"/p/{mine}/")
    assert page.get_by_role("link", name="Edit caption or place").count() == 0
    assert page.get_by_text("Delete this photo").count() == 0
    assert page.goto(visit.base + f"/p/{hidden}/").status == 404
    assert page.goto(visit.base + f"/p/{hidden}/edit").status == 404

    attacker = Client()
    attacker.force_login(bo)
    assert attacker.post(f"/p/{mine}/edit", {"caption": "pwned"}).status_code == 403
    assert attacker.post(f"/p/{mine}/delete").status_code == 403
    assert attacker.post(f"/p/{hidden}/like").status_code == 404
    assert attacker.post(f"/p/{hidden}/comment", {"text": "hi"}).status_code == 404
    blocked = Client()
    blocked.force_login(dan)
    assert blocked.post(f"/p/{mine}/comment", {"text": "let me in"}).status_code == 404
    assert blocked.post(f"/p/{mine}/like").status_code == 404
    still, private = media_of(mine), photos.visible(carol.id, shortcodes.decode(hidden))[0]
    assert (still.caption, still.likes, still.comments) == ("alice's own", 0, 0)
    assert (private.likes, private.comments) == (0, 0)


def test_block_asks_first(visit):
    make_user("ana")
    bo, _ = make_user("bo")
    page = visit.tab(bo)
    visit.go(page, "/ana/")
    page.get_by_role("button", name="Block").click()
    page.get_by_role("heading", name="Block ana?").wait_for()
    ana = User.objects.get(username="ana")
    assert relationships.status(bo, ana)["incoming_status"] != "blocked_by_you"
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(visit.base + "/ana/")
    page.get_by_role("button", name="Block").click()
    page.get_by_role("button", name="Yes, block").click()
    page.wait_for_url(visit.base + "/ana/")
    page.get_by_role("button", name="Unblock").wait_for()
    assert relationships.status(bo, ana)["incoming_status"] == "blocked_by_you"


# -- posting --------------------------------------------------------------------------------


def test_a_post_uploads_the_photo_once_with_previews_made_in_the_browser(visit, tmp_path):
    ana, _ = make_user("ana")
    photo = tmp_path / "pier.jpg"
    photo.write_bytes(jpeg_bytes())
    page = visit.tab(ana)
    sent: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and sent.append((r.url, r.headers.get("content-type", ""))),
    )
    visit.go(page, "/upload/")
    # a file that is no photo: the server says so
    page.set_input_files(
        "#image", {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"nope"}
    )
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#upload-error").is_visible()
    sent.clear()
    # a good one: the error goes, and every filter's preview is made here, with no request
    page.set_input_files("#image", str(photo))
    page.locator("#upload-error").wait_for(state="detached")
    page.locator("img.preview[data-filter=clarendon][src^='data:image/jpeg']").wait_for()
    assert (
        page.locator("img.preview[src^='data:image/jpeg']").count()
        == page.locator("img.preview").count()
    )
    assert sent == []
    page.get_by_label("Clarendon").check()
    page.get_by_label("Caption").fill("Evening at the pier")
    page.get_by_label(re.compile("Alt text")).fill("Wooden pier under an orange sky")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+/$"))
    assert len(sent) == 1 and sent[0][0].endswith("/upload/")
    assert sent[0][1].startswith("multipart/form-data")  # the one request with the photo
    assert page.locator(".shot img").get_attribute("alt") == "Wooden pier under an orange sky"
    code = page.url.rstrip("/").rsplit("/", 1)[1]
    assert media_of(code).alt_text == "Wooden pier under an orange sky"
    assert media_of(code).filter == "clarendon"


def test_the_upload_page_fits_the_screen_and_only_its_filter_strip_scrolls(visit, tmp_path):
    ana, _ = make_user("ana")
    photo = tmp_path / "pier.jpg"
    photo.write_bytes(jpeg_bytes())
    page = visit.tab(ana, touch=True)
    visit.go(page, "/upload/")
    page.set_input_files("#image", str(photo))
    page.locator("img.preview[data-filter=clarendon][src^='data:image/jpeg']").wait_for()
    width = SIZES[visit.size]["width"]
    # the hidden radio buttons of the filters stay inside their strip, which scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("innerWidth") == width  # a phone has not zoomed out to fit a wide page
    strip = page.locator(".filters")
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")
    strip.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
    assert strip.evaluate("s => s.scrollLeft") > 0
    page.get_by_label("Kelvin").check()  # far along the strip, scrolled to
    if visit.size == "phone":  # the tab bar spans the screen along its bottom
        bar = page.locator("nav.tabs").bounding_box()
        assert bar["width"] == width and bar["y"] + bar["height"] == SIZES["phone"]["height"]
    # a real click on Post, in a phone's layout too, reaches the button, not a fieldset over it
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+/$"))
    assert media_of(page.url.rstrip("/").rsplit("/", 1)[1]).filter == "kelvin"


def test_every_tab_of_one_s_own_profile_is_on_screen_in_english_and_german(visit):
    ana, _ = make_user("ana")
    for locale, saved in (("en-US", "Saved"), ("de-DE", "Gespeichert")):
        page = visit.tab(ana, touch=True, locale=locale)
        visit.go(page, "/ana/")
        widths = [SIZES[visit.size]["width"]] + ([320] if visit.size == "phone" else [])
        for width in widths:  # a 320 px phone too
            page.set_viewport_size({"width": width, "height": SIZES[visit.size]["height"]})
            tabs = page.locator(".profile-nav a")
            assert tabs.count() == 4 and tabs.last.inner_text().strip() == saved
            assert tabs.first.get_attribute("aria-current") == "page"
            for n in range(4):
                box = tabs.nth(n).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locale, width, n)
            # no tab label broken inside a word to fit ("Gespeichert" on 320 px)
            assert tabs.last.evaluate("a => a.querySelector('span').getClientRects().length") == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (locale, width)
            assert page.evaluate("innerWidth") == width  # a phone has not zoomed out to fit


def test_no_header_item_overlaps_another_in_english_and_german(visit):
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    follow(bo, ana)  # an unread count beside Activity: the header at its widest
    run_tasks()
    height = SIZES[visit.size]["height"]
    # from a tablet's width up the links are in the header, beside the settings control
    widths = [390, 320] if visit.size == "phone" else [1280, 1440, 1024, 960, 900, 800, 768]
    for locale in ("en-US", "de-DE"):
        page = visit.tab(ana, touch=True, locale=locale)
        visit.go(page, "/ana/")
        assert page.locator(".site-header nav.tabs .badge").count() == 1
        for width in widths:
            page.set_viewport_size({"width": width, "height": height})
            links = page.locator(".site-header nav.tabs a")
            boxes = [links.nth(n).bounding_box() for n in range(links.count())]
            boxes += [page.locator(".site-header .header-tools a").bounding_box()]
            boxes += [page.locator(".site-header .wordmark").bounding_box()]
            for n, box in enumerate(boxes):
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locale, width, n)
                for m, other in enumerate(boxes[:n]):
                    apart = (box["x"] >= other["x"] + other["width"]
                             or other["x"] >= box["x"] + box["width"]
                             or box["y"] >= other["y"] + other["height"]
                             or other["y"] >= box["y"] + box["height"])  # fmt: skip
                    assert apart, (locale, width, m, n, other, box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (locale, width)
            if visit.size == "phone":  # the links in the tab bar along the screen's bottom
                bar = page.locator("nav.tabs").bounding_box()
                assert bar["width"] == width and bar["y"] + bar["height"] == height


def test_one_s_own_photo_map_has_the_tabs_of_one_s_own_profile(visit, settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, map_tile_url="")  # no network
    ana, _ = make_user("ana")
    make_user("bo")
    page = visit.tab(ana)
    tabs = {}
    for person in ("ana", "bo"):
        visit.go(page, f"/{person}/")
        tabs[person] = [t.strip() for t in page.locator(".profile-nav a").all_inner_texts()]
        visit.go(page, f"/{person}/map/")
        shown = [t.strip() for t in page.locator(".profile-nav a").all_inner_texts()]
        assert shown == tabs[person], person
        assert page.locator(".profile-nav a[aria-current=page]").inner_text() == "Photo Map"
    assert tabs == {
        "ana": ["Photos", "Photos of you", "Photo Map", "Saved"],
        "bo": ["Photos", "Photos of bo", "Photo Map"],
    }


def test_a_post_with_the_editing_tools_is_turned_framed_and_blurred_on_the_server(visit, tmp_path):
    ana, _ = make_user("ana")
    photo = tmp_path / "pier.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))  # landscape, a yellow marker top-left
    page = visit.tab(ana)
    visit.go(page, "/upload/")
    page.set_input_files("#image", str(photo))
    preview = page.locator("#edit-preview")
    preview.wait_for()  # shown once a photo is chosen
    assert preview.evaluate("c => c.width > c.height")  # as chosen: landscape
    page.get_by_label("Kelvin").check()
    page.get_by_label("Rotate").select_option("90")
    # the browser's preview turns with it: now portrait, cut to 4:5 as the server will
    page.wait_for_function(
        "document.getElementById('edit-preview').height > document.getElementById('edit-preview').width"
    )
    assert preview.evaluate("c => Math.abs(c.width / c.height - 0.8) < 0.02")
    page.get_by_label("Filter strength").fill("70")
    assert page.locator("#strength-value").inner_text() == "70"
    page.get_by_label("The filter's border").check()
    assert not page.locator("#tilt-focus").is_visible()
    page.get_by_label("Tilt-shift").select_option("linear")
    page.locator("#tilt-focus").wait_for()
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.25})
    assert float(page.get_by_label("Down").input_value()) == pytest.approx(0.25, abs=0.03)
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+/$"))
    code = page.url.rstrip("/").rsplit("/", 1)[1]
    media = media_of(code)
    assert media.filter == "kelvin"
    high = media.images["high_resolution"]
    assert (high["width"], high["height"]) == (900, 1125)  # turned on the server, then 4:5
    stored = Image.open(io.BytesIO(storage.read(high["key"]))).convert("RGB")
    assert stored.getpixel((450, 2)) == pytest.approx((0, 0, 0), abs=12)  # Kelvin's black frame
    # the marker, top-left before the turn, is top-right after it
    r, g, b = stored.crop((640, 100, 820, 300)).resize((1, 1)).getpixel((0, 0))
    assert r > 200 and b < 120

    # tilt-shift: the red disc's sides are sharp on the band (a quarter down), soft below it
    def steepest(y: int) -> int:
        row = stored.crop((250, y, 650, y + 1)).convert("L")
        return (
            ImageChops.difference(row, ImageChops.offset(row, 1, 0))
            .crop((1, 0, 400, 1))
            .getextrema()[1]
        )

    assert steepest(400) > 3 * steepest(700)


def test_the_caption_is_the_alt_text_when_none_is_given(visit):
    _, ana_api = make_user("ana")
    code = post(ana_api, "Gulls on the rail")
    page = visit.tab()
    visit.go(page, f"/p/{code}/")
    assert page.locator(".shot img").get_attribute("alt") == "Gulls on the rail"


# -- the console stays clean on every page ---------------------------------------------------


def test_no_console_errors_on_any_page(visit):
    from filmroll.discovery import popular

    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    follow(bo, ana)
    code = post(ana_api, "#pier with @bo")
    comments.add(bo, shortcodes.decode(code), "nice")
    run_tasks()
    popular.refresh()
    place = ana_api.post_json("/api/v1/locations", {"name": "Pier", "lat": 1.5, "lng": 2.5})
    place_id = place.json()["data"]["id"]
    paths = ["/", "/explore/", "/explore/tags/pier/", f"/explore/locations/{place_id}/",
             "/explore/nearby/?lat=1.5&lng=2.5", "/explore/people/?q=ana", f"/p/{code}/",
             f"/p/{code}/edit", "/ana/", "/ana/followers/", "/bo/following/", "/activity/",
             "/upload/", "/settings/", "/activity/requests/"]  # fmt: skip
    for who in (ana, None):
        page = visit.tab(who)
        for path in paths:
            answer = page.goto(visit.base + path)
            page.wait_for_load_state("networkidle")
            assert answer.ok, path  # signed out, the signed-in pages answer with log-in
    assert visit.problems() == [] and visit.pages == []
