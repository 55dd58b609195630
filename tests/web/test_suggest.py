"""Suggestions while posting: tags and people for the caption, places to pick."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def test_tags_people_and_places_are_suggested():
    _, ana_api = make_user("ana")
    make_user("anabel")
    upload(ana_api, png_bytes(), caption="#sunset and #sunrise")
    place = ana_api.post(
        "/api/v1/locations", {"name": "Pier 39", "lat": "37.8087", "lng": "-122.4098"}
    )
    run_tasks()
    browser = Client()
    assert browser.get("/upload/suggest", {"q": "#sun"}).status_code == 302  # log in first
    browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    tags = browser.get("/upload/suggest", {"q": "#sun"}).json()["suggestions"]
    assert sorted(tags) == ["#sunrise", "#sunset"]
    names = browser.get("/upload/suggest", {"q": "@ana"}).json()["suggestions"]
    assert set(names) == {"@ana", "@anabel"}
    assert browser.get("/upload/suggest", {"q": "plain"}).json()["suggestions"] == []
    near = browser.get("/upload/places", {"lat": "37.8088", "lng": "-122.4097"}).json()["places"]
    assert near == [{"id": place.json()["data"]["id"], "name": "Pier 39"}]
    assert browser.get("/upload/places", {"q": "pier"}).json()["places"][0]["name"] == "Pier 39"
    assert browser.get("/upload/places", {"lat": "91", "lng": "0"}).status_code == 400
    # and a post can take the picked place
    made = browser.post("/upload/", {"image": _file(), "location_id": near[0]["id"]})
    assert "Pier 39" in browser.get(made["Location"]).content.decode()


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.png", png_bytes(), "image/png")
