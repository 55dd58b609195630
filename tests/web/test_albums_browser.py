"""Albums in a real browser (Debian's Chromium through Playwright, at the phone and desktop
sizes): several photos chosen on the upload page make one album; its page and its feed card
show a strip of its photos that the arrows move (desktop: clicked, or from the keyboard) and
that swipes without JavaScript (CSS scroll-snap); where one is ("Photo 2 of 3", the dots)
follows; each photo's alt text is its image's alt; the cover stands for it in the grids of the
profile, a tag and a place; a like on the card is the post's."""

from __future__ import annotations

import re
import time

import pytest

from filmroll.graph import relationships
from filmroll.media import albums, shortcodes
from filmroll.places import places
from tests.support.browser import shot
from tests.support.images import jpeg_bytes
from tests.support.personas import make_user
from tests.support.tasks import run_tasks
from tests.web.test_flows import Visit

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


@pytest.fixture(params=["desktop", "phone"])
def visit(browser, live_server, request):
    seen = Visit(browser, live_server.url, request.param)
    yield seen
    assert seen.problems() == [], (seen.errors, seen.failed)


def photos() -> list[bytes]:
    return [jpeg_bytes((1200, 900)), jpeg_bytes((900, 1100)), jpeg_bytes((1000, 1000))]


def at(album) -> str:
    return album.locator(".album-count").inner_text()


def until(check, seconds: float = 5) -> None:
    """Poll `check` (the pages' CSP allows no string evaluation for wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def move(page, album, name: str, expected: str) -> None:
    album.get_by_role("button", name=name).click()
    until(lambda: at(album) == expected)


IN_VIEW = "s => Math.abs(s.getBoundingClientRect().left - s.parentElement.getBoundingClientRect().left) < 2"


def test_an_album_posted_from_the_upload_page_moves_by_its_arrows_and_its_count_follows(
    visit, tmp_path
):
    ana, _ = make_user("ana")
    page = visit.tab(ana)
    visit.go(page, "/upload/")
    page.set_input_files(
        "#image",
        [{"name": f"p{n}.jpg", "mimeType": "image/jpeg", "buffer": data}
         for n, data in enumerate(photos(), start=1)],
    )  # fmt: skip
    page.get_by_label("Caption").fill("Three from the ferry")
    page.get_by_label(re.compile("Alt text")).fill("The ferry's wake")
    page.get_by_text("Alt text for an album's other photos").click()
    page.get_by_label("Photo 2", exact=True).fill("The bridge in fog")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+/$"))

    album = page.get_by_role("group", name="An album of 3 photos")
    slides = album.locator(".slide")
    assert slides.count() == 3
    alts = [slides.nth(n).locator("img").get_attribute("alt") for n in range(3)]
    assert alts == ["The ferry's wake", "The bridge in fog", "Three from the ferry"]
    assert at(album) == "Photo 1 of 3"
    previous, following = (
        album.get_by_role("button", name=n) for n in ("Previous photo", "Next photo")
    )
    assert following.is_visible() and previous.get_attribute("aria-disabled") == "true"
    move(page, album, "Next photo", "Photo 2 of 3")
    until(lambda: slides.nth(1).evaluate(IN_VIEW))  # in view, once the smooth scroll ends
    # from the keyboard too
    following.focus()
    page.keyboard.press("Enter")
    until(lambda: at(album) == "Photo 3 of 3")
    assert following.get_attribute("aria-disabled") == "true"
    assert album.locator(".dot.on").count() == 1
    assert album.locator(".dot").nth(2).get_attribute("class") == "dot on"
    move(page, album, "Previous photo", "Photo 2 of 3")
    shot(page, f"album-photo-{visit.size}")


def test_the_strip_swipes_without_javascript_and_the_count_follows_a_swipe_with_it(visit):
    ana, _ = make_user("ana")
    album_id = albums.post(ana, photos(), caption="swipe me")
    code = shortcodes.encode(album_id)

    plain = visit.tab(ana, javascript=False)
    visit.go(plain, f"/p/{code}/")
    strip = plain.locator(".album .strip")
    assert strip.evaluate("s => getComputedStyle(s).scrollSnapType") == "x mandatory"
    assert strip.evaluate("s => s.scrollWidth >= 3 * s.clientWidth - 3")
    # no script, no arrows that would do nothing; the strip scrolls a photo at a time
    assert not plain.get_by_role("button", name="Next photo").is_visible()
    strip.evaluate("s => s.scrollBy({left: s.clientWidth * 0.7})")  # a swipe past the middle
    until(lambda: strip.evaluate("s => s.scrollLeft === s.clientWidth"))  # snapped to the second

    page = visit.tab(ana)
    visit.go(page, f"/p/{code}/")
    page.locator(".album .strip").evaluate("s => s.scrollTo({left: s.clientWidth * 2})")
    until(lambda: at(page.locator(".album")) == "Photo 3 of 3")


def test_the_cover_stands_for_the_album_in_feed_grids_tags_and_places_and_a_like_is_the_posts(
    visit,
):
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    relationships.act(bo, ana, "follow")
    pier = places.create(ana.id, places.check("Pier 39", "37.8087", "-122.4098"))
    album_id = albums.post(ana, photos(), caption="ferry day #albumtest", location_id=pier,
                           alt_texts=["cover photo", "second photo", "third photo"])  # fmt: skip
    run_tasks()
    page = visit.tab(bo)
    for path in ("/ana/", "/explore/tags/albumtest/", f"/explore/locations/{pier}/"):
        visit.go(page, path)
        cell = page.locator(f"#g{album_id}")
        assert cell.locator("img").get_attribute("alt") == "cover photo", path
        assert cell.locator(".grid-album").count() == 1, path  # marked as an album

    visit.go(page, "/")
    card = page.locator(f"article#m{album_id}")
    album = card.get_by_role("group", name="An album of 3 photos")
    assert album.locator("img").first.get_attribute("alt") == "cover photo"
    if visit.size == "desktop":
        move(page, album, "Next photo", "Photo 2 of 3")
    else:
        album.locator(".strip").evaluate("s => s.scrollTo({left: s.clientWidth})")  # a swipe
        until(lambda: at(album) == "Photo 2 of 3")
    card.get_by_role("button", name="Like").click()
    page.locator(f"article#m{album_id} .likes").filter(has_text="1").wait_for()
    until(lambda: at(album) == "Photo 2 of 3")  # the new card stays on the photo it was on
    shot(page, f"album-feed-{visit.size}")
    from filmroll.media import likes

    assert likes.liked_by_viewer(bo.id, [album_id]) == {album_id}
