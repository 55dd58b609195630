"""Explore, settings, follow requests and follower lists in the web app."""

from __future__ import annotations

import pytest
from django.test import Client

from filmroll.accounts.models import User
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user


def logged_in(username: str, private: bool = False) -> Client:
    make_user(username, private=private)
    browser = Client()
    browser.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return browser


def test_settings_change_the_profile_and_privacy():
    browser = logged_in("ana")
    saved = browser.post("/settings/", {"full_name": "Ana Lima", "bio": "light", "website": "",
                                        "is_private": "on"})  # fmt: skip
    assert saved.status_code == 302 and saved["Location"] == "/settings/?saved=1"
    ana = User.objects.get(username="ana")
    assert ana.full_name == "Ana Lima" and ana.is_private
    bad = browser.post("/settings/", {"website": "ftp://nope", "full_name": "x"})
    assert bad.status_code == 400 and "website" in bad.content.decode()
    browser.post("/settings/", {"full_name": "Ana Lima", "bio": "", "website": ""})
    assert not User.objects.get(username="ana").is_private  # unticked: public again


def test_a_password_change_keeps_this_session_and_ends_the_others():
    browser = logged_in("ana")
    other = Client()
    other.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    wrong = browser.post("/settings/password/", {"old_password": "nope", "new_password": "x" * 20})
    assert wrong.status_code == 400
    changed = browser.post(
        "/settings/password/", {"old_password": PASSWORD, "new_password": "another fine phrase"}
    )
    assert changed.status_code == 302
    assert browser.get("/settings/").status_code == 200
    assert other.get("/settings/").status_code == 302  # sent to log in again


def test_requests_are_approved_from_the_web_and_lists_respect_privacy():
    ana = logged_in("ana", private=True)
    bo = logged_in("bo")
    bo.post("/ana/relationship", {"action": "follow"})
    page = ana.get("/activity/requests/").content.decode()
    assert "bo" in page
    ana.post("/activity/requests/bo", {"action": "approve"})
    assert "No requests." in ana.get("/activity/requests/").content.decode()
    assert "bo" in ana.get("/ana/followers/").content.decode()
    stranger = Client()
    assert stranger.get("/ana/followers/").status_code == 404  # private: not for strangers
    assert "ana" in bo.get("/bo/following/").content.decode()


@pytest.mark.django_db(databases="__all__", transaction=True)
@pytest.mark.usefixtures("restores_install", "empty_index")
def test_explore_tags_places_nearby_and_people():
    _, ana_api = make_user("ana")
    place = ana_api.post("/api/v1/locations", {"name": "Pier", "lat": "10", "lng": "20"})
    place = place.json()["data"]["id"]
    upload(ana_api, png_bytes(), caption="#dawn at the pier", location_id=place)
    from tests.support.tasks import run_tasks

    run_tasks()
    browser = Client()
    assert "#dawn" in browser.get("/explore/tags/dawn/").content.decode()
    assert 'alt="#dawn at the pier"' in browser.get("/explore/tags/dawn/").content.decode()
    assert browser.get("/explore/tags/no%20such/").status_code == 404
    assert 'alt="#dawn at the pier"' in browser.get(f"/explore/locations/{place}/").content.decode()
    assert browser.get("/explore/locations/999/").status_code == 404
    near = browser.get("/explore/nearby/", {"lat": "10", "lng": "20", "distance": "500"})
    assert 'alt="#dawn at the pier"' in near.content.decode()
    far = browser.get("/explore/nearby/", {"lat": "95", "lng": "20"})
    assert "lat must be between" in far.content.decode()
    assert "/ana/" in browser.get("/explore/people/", {"q": "an"}).content.decode()
    assert browser.get("/explore/").status_code == 200
