"""Suggestions on the explore pages and the dismiss button's form, without a browser: shown to
the signed-in only, never the blocked, a private account as a name without its photos; the
button's way back stays on this site."""

from __future__ import annotations

import pytest
from django.test import Client

from filmroll.discovery import suggestions
from filmroll.graph import relationships
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def signed_in(username: str) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_explore_and_find_people_suggest_people_to_the_signed_in():
    vi, _ = make_user("vi")
    friend, _ = make_user("friend")
    relationships.follow(vi, friend)
    shy, shy_api = make_user("shy", private=True)
    relationships.follow(friend, shy)
    relationships.approve(shy, friend)
    upload(shy_api, png_bytes(), caption="only for followers")
    rude, _ = make_user("rude")
    relationships.follow(friend, rude)
    relationships.block(vi, rude)
    client = signed_in("vi")
    for path in ("/explore/", "/explore/people/"):
        page = client.get(path).content.decode()
        assert 'class="suggestions"' in page, path
        assert "<strong>shy</strong>" in page and 'action="/shy/dismiss"' in page, path
        assert "Followed by 1 person you follow" in page
        assert "<strong>rude</strong>" not in page and "only for followers" not in page, path
    assert 'class="suggestions"' not in Client().get("/explore/").content.decode()
    # a search shows what was searched for, not suggestions
    assert (
        'class="suggestions"' not in client.get("/explore/people/", {"q": "fri"}).content.decode()
    )


def test_the_dismiss_button_stores_the_dismissal_and_goes_back_on_this_site():
    vi, _ = make_user("vi")
    one, _ = make_user("one")
    client = signed_in("vi")
    answer = client.post("/one/dismiss", {"next": "/explore/"})
    assert answer.status_code == 302 and answer["Location"] == "/explore/"
    assert "one" not in [s.user.username for s in suggestions.for_user(vi.id, 50)]
    away = client.post("/one/dismiss", {"next": "//evil.example/"})
    assert away.status_code == 302 and away["Location"] == "/"
    assert client.post("/nobody/dismiss").status_code == 404
    assert client.get("/one/dismiss").status_code == 405
    anonymous = Client().post("/one/dismiss")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
