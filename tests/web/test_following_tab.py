"""The Following tab of the activity page in a real browser: reached from the "You" tab, it shows
what the people you follow did, grouped, with the photos' thumbnails, and loads more as you
scroll; a photo you may not see never appears."""

from __future__ import annotations

import pytest

from filmroll.media import comments, likes, shortcodes
from filmroll.web import following
from tests.support.personas import make_user
from tests.web.test_flows import follow, post, scroll_to_the_end, size, visit  # noqa: F401

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def test_the_following_tab_shows_what_people_you_follow_did(visit, monkeypatch):  # noqa: F811
    monkeypatch.setattr(following, "PAGE", 3)
    vi, _ = make_user("vi")
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    ow, ow_api = make_user("ow")
    carol, carol_api = make_user("carol", private=True)
    follow(vi, ana)
    follow(vi, bo)
    codes = [post(ow_api, f"pier {n}") for n in range(2)]
    secret = post(carol_api, "secret")
    follow(ana, carol)  # a request: carol approves ana, never vi
    from filmroll.graph import relationships

    relationships.act(carol, ana, "approve")
    likes.like(ana, shortcodes.decode(secret))
    for code in codes:
        likes.like(ana, shortcodes.decode(code))
    for n in range(4):
        comments.add(bo, shortcodes.decode(codes[0]), f"lovely {n}")
    page = visit.tab(vi)
    visit.go(page, "/activity/")
    page.get_by_role("link", name="Following", exact=True).click()
    page.wait_for_url(visit.base + "/activity/following/")
    assert page.locator(".subnav a[aria-current=page]").inner_text() == "Following"
    scroll_to_the_end(page)  # 3 a page: two more pages come as the link scrolls into view
    lines = page.locator("#list > li .what").all_inner_texts()
    expected = [f"bo commented on ow’s photo: lovely {n}" for n in (3, 2, 1, 0)] + [
        "ana liked 2 photos.",
        "ana started following carol.",
    ]
    assert len(lines) == len(expected)
    assert all(line.startswith(start) for line, start in zip(lines, expected, strict=True))
    assert page.locator("#list > li .thumbs a").count() == 4 + 2
    assert "secret" not in page.content() and secret not in page.content()
    # the photo's link goes to the photo
    page.locator("#list > li .thumbs a").first.click()
    page.wait_for_url(visit.base + f"/p/{codes[0]}/")
