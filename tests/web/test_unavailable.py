"""The pages under the faults the API answers with 503 and Retry-After (a database that cannot take
writes, a Redis that refuses connections, a photo store that is gone): the same answer, as the
app's own page that says to try again, never the 500 page, and nothing half-written. Made with
the real faults of tests/api/test_database_faults.py and tests/media/test_storage_faults.py."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.feeds.store import store
from filmroll.web.unavailable import Unavailable
from tests.api.test_database_faults import read_only
from tests.media.test_storage_faults import s3_unreachable
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import free_port

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def browser_of(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name  # type: ignore[attr-defined]
    return file


def try_again(page) -> bool:
    """The 503 page: Retry-After, the app's design, no trace of the 500 page."""
    text = page.content.decode()
    return (
        page.status_code == 503
        and int(page["Retry-After"]) > 0
        and "filmroll.css" in text
        and "try again in a few seconds" in text
        and "Something went wrong" not in text
    )


def test_web_writes_to_a_database_that_cannot_take_them_answer_the_503_page():
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    code = upload(ana_api, jpeg_bytes()).json()["data"]["shortcode"]
    browser = browser_of(bo)
    # -shm writable: the pages' session reads open connections during the fault (see read_only)
    with read_only(shared_memory=False):
        answers = [
            browser.post(f"/p/{code}/comment", {"text": "lovely"}),
            browser.post(f"/p/{code}/comment", {"text": "lovely"}, HTTP_X_REQUESTED_WITH="fetch"),
            browser.post(f"/p/{code}/like"),
            browser.post("/ana/relationship", {"action": "follow"}),
        ]
        assert all(try_again(a) for a in answers), [
            (a.status_code, a.content[:300]) for a in answers
        ]
        assert browser.get(f"/p/{code}/").status_code == 200  # reads go on

    # nothing half-written
    photo = ana_api.get(f"/api/v1/media/shortcode/{code}").json()["data"]
    assert photo["likes"]["count"] == 0 and photo["comments"]["count"] == 0
    assert counts.for_users([bo.id])[bo.id]["follows"] == 0
    assert counts.for_users([ana.id])[ana.id]["followed_by"] == 0
    # and the same requests work once the database is back
    assert browser.post(f"/p/{code}/comment", {"text": "lovely"}).status_code == 302
    assert browser.post(f"/p/{code}/like").status_code == 302
    assert browser.post("/ana/relationship", {"action": "follow"}).status_code == 302
    photo = ana_api.get(f"/api/v1/media/shortcode/{code}").json()["data"]
    assert photo["likes"]["count"] == 1 and photo["comments"]["count"] == 1
    assert counts.for_users([ana.id])[ana.id]["followed_by"] == 1


def test_the_home_page_with_its_feed_redis_unreachable_answers_the_503_page(settings):
    ana, _ = make_user("ana")
    browser = browser_of(ana)
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, feed_redis=(f"redis://127.0.0.1:{free_port()}/0",)
    )  # nothing listens there
    store.cache_clear()
    try:
        page = browser.get("/")
        german = browser.get("/", HTTP_ACCEPT_LANGUAGE="de")
    finally:
        store.cache_clear()
    assert try_again(page), (page.status_code, page.content[:300])
    assert german.status_code == 503 and 'lang="de"' in german.content.decode()
    assert "in ein paar Sekunden" in german.content.decode()


def test_an_avatar_the_photo_store_cannot_take_answers_503_and_changes_nothing(settings):
    bo, _ = make_user("bo")
    browser = browser_of(bo)
    picture = jpeg_bytes()
    with s3_unreachable(settings):
        page = browser.post(
            "/settings/",
            {"full_name": "Bo Changed", "profile_picture": _named(picture, "me.jpg")},
        )
    assert page.status_code == 503, page.content[:300]
    assert int(page["Retry-After"]) > 0
    assert "try again in a minute" in page.content.decode()
    assert "<form" in page.content.decode()  # the settings page itself, saying what happened
    stored = User.objects.get(id=bo.id)
    assert stored.full_name != "Bo Changed" and not stored.avatar_key


def test_a_bug_is_still_a_500_and_the_api_keeps_its_envelope():
    unavailable = Unavailable(lambda request: None)  # type: ignore[arg-type,return-value]
    pages = RequestFactory()
    assert unavailable.process_exception(pages.get("/"), ValueError("a bug")) is None
    api = pages.post("/api/v1/media/1/likes")
    assert unavailable.process_exception(api, OperationalError("readonly")) is None
    refused = unavailable.process_exception(pages.post("/x"), OperationalError("readonly"))
    assert refused is not None and refused.status_code == 503
