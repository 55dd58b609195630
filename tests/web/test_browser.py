"""The web app in a real browser: Debian's Chromium driven by Playwright against a live filmroll.
Two people sign up, one follows the other, one posts a photo with a filter and a place, the
other sees it in the feed, likes it and comments, the first sees the notifications; then a
private account and a block, seen from the browser. Screenshots of the pages land in
var/screenshots/ for a reviewer."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest

from filmroll.accounts.models import User
from filmroll.media.samples import paint
from tests.support.browser import shot, sign_up
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def a_photo(tmp_path) -> Path:
    path = tmp_path / "pier.jpg"
    buffer = io.BytesIO()
    paint(random.Random(9), 480, 360).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_two_people_follow_post_like_comment_and_are_told(browser, live_server, tmp_path):
    base = live_server.url
    ana = sign_up(browser, base, "ana")
    bo = sign_up(browser, base, "bo")
    shot(ana, "welcome-feed-empty")

    bo.goto(f"{base}/ana/")
    bo.get_by_role("button", name="Follow").click()
    bo.get_by_role("button", name="Following").wait_for()
    shot(bo, "profile-following")

    ana.goto(f"{base}/upload/")
    ana.set_input_files("#image", str(a_photo(tmp_path)))
    # the chosen photo appears under every filter, made on the server
    ana.locator("img.preview[data-filter=clarendon][src^='data:image/jpeg']").wait_for()
    ana.get_by_label("Clarendon").check()
    ana.get_by_label("Caption").fill("Evening at the pier #sunset")
    ana.get_by_label("Name", exact=True).fill("Pier 39")
    ana.get_by_label("Latitude").fill("37.8087")
    ana.get_by_label("Longitude").fill("-122.4098")
    shot(ana, "upload")
    ana.get_by_role("button", name="Post", exact=True).click()
    ana.wait_for_url(re.compile(r".*/p/[A-Za-z0-9_-]+/$"))
    assert "Pier 39" in ana.content()
    run_tasks()  # the fan-out into bo's feed

    bo.goto(f"{base}/")
    post = bo.locator("article.photo").first
    assert "Evening at the pier #sunset" in post.inner_text()
    assert post.locator("img:not(.avatar)").get_attribute("alt") == "Evening at the pier #sunset"
    shot(bo, "feed")
    bo.evaluate("window.stillHere = true")  # gone if the page reloads
    post.get_by_role("button", name="Like", exact=True).click()
    # in place (app.js swaps the photo's piece of the page): no reload, the count changes
    bo.locator("article.photo .likes", has_text="1 like").wait_for()
    assert bo.get_by_role("button", name="Liked", exact=True).is_visible()
    assert bo.evaluate("window.stillHere === true")
    assert (
        post.locator("img:not(.avatar)")
        .get_attribute("style")
        .startswith("background: url(data:image/png")
    )
    bo.locator("article.photo").first.get_by_role("link", name="0 comments").click()
    bo.get_by_label("Add a comment").fill("Lovely light!")
    bo.get_by_role("button", name="Post").click()
    bo.locator("p.comment").first.wait_for()
    assert "Lovely light!" in bo.locator("p.comment").first.inner_text()
    shot(bo, "photo")
    run_tasks()

    ana.goto(f"{base}/")
    assert ana.get_by_label("3 unread").is_visible()  # the follow, the like, the comment
    ana.get_by_role("link", name=re.compile("^Activity")).click()
    # click() does not wait for the page it opens: read the events only once it has loaded
    ana.wait_for_url(re.compile(r".*/activity/$"))
    events = ana.locator("li.event").all_inner_texts()
    assert any("bo liked your photo." in e for e in events)
    assert any("bo commented on your photo: Lovely light!" in e for e in events)
    assert any("bo started following you." in e for e in events)
    shot(ana, "activity")
    ana.goto(f"{base}/")
    assert ana.get_by_label(re.compile("unread")).count() == 0  # read now

    # A private account, seen by someone who does not follow it.
    User.objects.filter(username="ana").update(is_private=True)
    carl = sign_up(browser, base, "carl")
    carl.goto(f"{base}/ana/")
    assert "This account is private" in carl.content()
    assert carl.locator(".grid img").count() == 0
    carl.get_by_role("button", name="Follow").click()
    carl.get_by_role("button", name="Requested").wait_for()
    shot(carl, "profile-private")

    # A block: ana blocks bo, and her photo leaves his feed and her profile.
    ana.goto(f"{base}/bo/")
    ana.get_by_role("button", name="Block").click()
    ana.get_by_role("button", name="Yes, block").click()  # a block asks first
    ana.get_by_role("button", name="Unblock").wait_for()
    bo.goto(f"{base}/")
    assert "Evening at the pier" not in bo.content()
    bo.goto(f"{base}/ana/")
    assert bo.locator(".grid img").count() == 0
