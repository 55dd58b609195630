"""The activity page in a real browser after a block and after a photo goes private: what the
reader may no longer see is gone from the list and from the unread badge."""

from __future__ import annotations

import pytest

from filmroll.accounts.models import User
from filmroll.graph import relationships
from filmroll.media import photos
from tests.support.browser import sign_up
from tests.support.images import jpeg_bytes
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def _post(user: User) -> int:
    from filmroll.media import pipeline

    return photos.publish(user.id, pipeline.process(jpeg_bytes(), "normal"), "normal")


def test_the_activity_page_forgets_a_blocked_person(browser, live_server):
    from filmroll.media import comments

    base = live_server.url
    ana = sign_up(browser, base, "ana")
    sign_up(browser, base, "bo")
    ana_user, bo_user = User.objects.get(username="ana"), User.objects.get(username="bo")
    media_id = _post(ana_user)
    comments.add(bo_user, media_id, "words from bo")
    run_tasks()
    ana.goto(f"{base}/activity/")
    assert any("words from bo" in e for e in ana.locator("li.event").all_inner_texts())

    comments.add(bo_user, media_id, "more words from bo")  # unread now
    ana.goto(f"{base}/")
    assert ana.get_by_label("1 unread").is_visible()
    relationships.block(ana_user, bo_user)
    ana.goto(f"{base}/")
    assert ana.get_by_label("1 unread").count() == 0
    ana.goto(f"{base}/activity/")
    assert "words from bo" not in ana.locator("main").inner_text()
    assert not any("bo" in e for e in ana.locator("li.event").all_inner_texts())


def test_the_activity_page_hides_a_mention_on_a_photo_gone_private(browser, live_server):
    from filmroll.media import comments

    base = live_server.url
    bo = sign_up(browser, base, "bo")
    sign_up(browser, base, "ana")
    sign_up(browser, base, "cy")
    ana_user, bo_user, cy_user = (User.objects.get(username=n) for n in ("ana", "bo", "cy"))
    media_id = _post(ana_user)
    comments.add(cy_user, media_id, "private words @bo")
    bo.goto(f"{base}/activity/")
    assert any("private words" in e for e in bo.locator("li.event").all_inner_texts())

    from filmroll.accounts import users

    users.update_profile(ana_user, {"is_private": "true"})  # bo does not follow ana
    bo.goto(f"{base}/activity/")
    assert not any("private words" in e for e in bo.locator("li.event").all_inner_texts())
