"""People in photos on the web, in a real browser (Chromium through Playwright): tagging by
clicking the photo on the upload page, the names over the photo behind the people button, the
"Photos of you" tab of a profile, a tagged person hiding the photo and taking their tag off,
and the plain field without JavaScript on the edit page."""

from __future__ import annotations

import re

import pytest

from filmroll.graph import relationships
from filmroll.media import photos, shortcodes
from tests.support.images import jpeg_bytes
from tests.support.personas import make_user
from tests.web.test_flows import Visit, media_of, post

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@pytest.fixture
def visit(browser, live_server):
    seen = Visit(browser, live_server.url, "desktop")
    yield seen
    assert seen.problems() == [], (seen.errors, seen.failed)


def own(owner, code: str):
    return photos.visible(owner.id, shortcodes.decode(code))[0]


def grid(page) -> list[str]:
    return [a.get_attribute("href") for a in page.locator("#list > a").all()]


def test_tag_by_clicking_the_photo_then_find_it_under_photos_of_you(visit, tmp_path):
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    photo = tmp_path / "pier.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))
    page = visit.tab(ana)
    visit.go(page, "/upload/")
    page.set_input_files("#image", str(photo))
    shot = page.get_by_role("img", name="Click where someone is in the photo to tag them")
    shot.wait_for()
    box = shot.bounding_box()
    shot.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    page.get_by_label("Who is this?").fill("bo")
    page.get_by_role("button", name="Tag", exact=True).click()
    assert page.get_by_label("People in this photo").input_value() == "bo(0.25,0.50)"
    assert page.locator(".tag-marks li").inner_text() == "bo"
    page.get_by_label("Caption").fill("With bo at the pier")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+/$"))
    code = page.url.rstrip("/").rsplit("/", 1)[1]
    ((tagged, x, y),) = media_of(code).people
    assert tagged == bo.id and abs(x - 0.25) < 0.011 and y == 0.5

    # on the photo: the names under it, and over it behind the people button
    assert page.locator(".people-line a").inner_text() == "bo"
    label = page.locator(".in-photo li a", has_text="bo")
    assert not label.is_visible()
    page.locator("summary", has_text="People in this photo").click()
    label.wait_for()
    assert label.get_attribute("href") == "/bo/"
    assert "left:25.0%" in page.locator(".in-photo li").get_attribute("style").replace(" ", "")

    # bo's profile: the tab, for bo and for others; and his activity says so
    mine = visit.tab(bo)
    visit.go(mine, "/activity/")
    told = mine.locator("li.event", has_text="tagged you in a photo.")
    assert told.locator("a", has_text="photo").get_attribute("href") == f"/p/{code}/"
    assert told.locator("strong").inner_text() == "ana"
    visit.go(mine, "/bo/")
    mine.get_by_role("link", name="Photos of you").click()
    mine.wait_for_url(visit.base + "/bo/tagged/")
    assert grid(mine) == [f"/p/{code}/"]
    visit.go(page, "/bo/tagged/")
    assert page.get_by_role("link", name="Photos of bo").get_attribute("aria-current") == "page"
    assert grid(page) == [f"/p/{code}/"]

    # bo hides it from his profile (still tagged), shows it again, then takes his tag off
    visit.go(mine, f"/p/{code}/")
    mine.get_by_role("button", name="Hide from my profile").click()
    mine.get_by_role("button", name="Show on my profile").wait_for()
    visit.go(mine, "/bo/tagged/")
    assert grid(mine) == [] and mine.get_by_text("No photos here yet.").is_visible()
    visit.go(mine, f"/p/{code}/")
    assert mine.locator(".people-line a").inner_text() == "bo"
    mine.get_by_role("button", name="Show on my profile").click()
    mine.get_by_role("button", name="Hide from my profile").wait_for()
    mine.get_by_role("button", name="Remove me from this photo").click()
    mine.wait_for_url(visit.base + f"/p/{code}/")
    assert mine.locator(".people-line").count() == 0 and media_of(code).people == ()
    visit.go(mine, "/bo/tagged/")
    assert grid(mine) == []


def test_tagging_without_javascript_and_the_tab_follows_the_photos_rule(visit):
    ana, ana_api = make_user("ana", private=True)
    bo, _ = make_user("bo")
    cy, _ = make_user("cy")
    relationships.act(bo, ana, "follow")
    relationships.act(ana, bo, "approve")
    code = post(ana_api, "pier")
    page = visit.tab(ana, javascript=False)
    visit.go(page, f"/p/{code}/edit")
    assert page.locator("figure.tagger").is_hidden()  # the tagger needs the script
    page.get_by_label("People in this photo").fill("bo cy(0.9,0.1)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(visit.base + f"/p/{code}/")
    assert [(p[0], p[1], p[2]) for p in own(ana, code).people] == [
        (bo.id, 0.5, 0.5), (cy.id, 0.9, 0.1)]  # fmt: skip
    assert page.locator(".people-line a").all_inner_texts() == ["bo", "cy"]
    visit.go(page, f"/p/{code}/edit")
    assert page.get_by_label("People in this photo").input_value() == "bo(0.5,0.5) cy(0.9,0.1)"
    page.get_by_label("People in this photo").fill("nobody")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".errors").inner_text() == "users_in_photo: nobody cannot be tagged"
    assert len(own(ana, code).people) == 2

    # ana is private: bo (an approved follower) has the photo in his tab; cy may not see it,
    # so it is in nobody's view of hers; a stranger sees neither
    for viewer, whose, shown in ((bo, "bo", True), (ana, "bo", True), (cy, "bo", False),
                                 (None, "bo", False), (cy, "cy", False), (ana, "cy", False)):  # fmt: skip
        tab = visit.tab(viewer)
        visit.go(tab, f"/{whose}/tagged/")
        assert grid(tab) == ([f"/p/{code}/"] if shown else []), (viewer, whose)
        tab.close()
