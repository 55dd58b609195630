"""What v1 clients rely on beyond shapes: JSONP, public reads with a client_id alone, `_method`,
time windows, v1's error types, the API at /v1/ and on its own host; and that none of these
ever serves a private photo or one hidden by a block. The answer for a private thing and for a
missing one is decided in docs/api.md ("Private or missing") and held here."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from django.test import Client

from filmroll.accounts import users
from filmroll.api.envelope import CALLBACK
from filmroll.discovery import popular
from filmroll.media import comments, shortcodes
from tests.api.world import SECRET, World, build, missing_media, post
from tests.support.images import png_bytes, upload
from tests.support.tasks import run_tasks


@pytest.fixture
def world() -> World:
    return build()


def jsonp(answer, name: str) -> dict:
    """The envelope inside `name(...)`, after checking the wrapping."""
    assert answer.status_code == 200  # always: a script tag never runs an error page
    assert answer["Content-Type"] == "application/javascript; charset=utf-8"
    body = answer.content.decode()
    assert body.startswith(f"/**/{name}(") and body.endswith(");")
    return json.loads(body[len(name) + 5 : -2])


def meta(answer) -> dict:
    return answer.json()["meta"]


def test_jsonp_wraps_every_answer_and_only_for_a_safe_name(world):
    w = world
    path = f"/v1/media/{w.photo}"
    shown = jsonp(w.bo_widget.get(path, callback="jQuery1910_42.done"), "jQuery1910_42.done")
    assert shown["meta"]["code"] == 200 and shown["data"]["id"] == w.photo
    # errors too, with the code in meta: the private photo answers as a missing one
    hidden = jsonp(w.bo_widget.get(f"/v1/media/{w.hidden}", callback="cb"), "cb")
    missing = jsonp(w.bo_widget.get(f"/v1/media/{missing_media()}", callback="cb"), "cb")
    assert hidden == missing and hidden["meta"]["error_type"] == "APINotFoundError"
    blocked = jsonp(w.dee_api.get(path, callback="cb"), "cb")  # ana blocked dee
    assert blocked["meta"]["error_type"] == "APINotFoundError"
    for name in ("alert(1)//", "a b", "<script>", "x" * 70, "1abc", "a..b", "", "é"):
        refused = w.bo_widget.get(path, callback=name)
        assert refused.status_code == 400 and refused["Content-Type"] == "application/json"
        assert meta(refused)["error_type"] == "APIInvalidParametersError"
        assert not CALLBACK.match(name)


COMMITTED = [  # these read the discovery index, which the background tasks fill after commits
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def committed(test):
    for mark in COMMITTED:
        test = mark(test)
    return test


@committed
def test_an_app_reads_public_content_with_its_client_id_alone(world):
    w = world
    run_tasks()
    popular.refresh()
    app = Client()
    ids = {"client_id": w.widget.client_id}
    near = {"lat": "37.8087", "lng": "-122.4098"}
    public_reads = [
        (f"/v1/users/{w.ana.id}", {}), (f"/v1/users/{w.ana.id}/media/recent", {}),
        (f"/v1/media/{w.photo}", {}), (f"/v1/media/shortcode/{w.code}", {}),
        ("/v1/media/search", near), ("/v1/media/popular", {}),
        (f"/v1/media/{w.photo}/comments", {}), (f"/v1/media/{w.photo}/likes", {}),
        ("/v1/tags/sunset", {}), ("/v1/tags/sunset/media/recent", {}),
        ("/v1/tags/search", {"q": "sun"}), (f"/v1/locations/{w.place}", {}),
        (f"/v1/locations/{w.place}/media/recent", {}), ("/v1/locations/search", near),
    ]  # fmt: skip
    for path, params in public_reads:
        answer = app.get(path, {**ids, **params})
        assert answer.status_code == 200, (path, answer.content)
        assert answer.json()["meta"]["code"] == 200
        assert answer.json()["data"], path  # something public to show everywhere
    shown = app.get(f"/v1/media/{w.photo}", ids).json()["data"]
    assert shown["user_has_liked"] is False  # nobody is looking
    # with the secret too (some clients always send it), which must then be right
    assert app.get(f"/v1/media/{w.photo}", {**ids, "client_secret": SECRET}).status_code == 200
    wrong = app.get(f"/v1/media/{w.photo}", {**ids, "client_secret": "nope"})
    assert meta(wrong)["error_type"] == "OAuthException"
    unknown = app.get(f"/v1/media/{w.photo}", {"client_id": "no-such-app"})
    assert unknown.status_code == 400 and meta(unknown)["error_type"] == "OAuthParameterException"
    # never a private photo, nor a private account's lists
    hidden, missing = (app.get(f"/v1/media/{m}", ids) for m in (w.hidden, missing_media()))
    assert hidden.json() == missing.json() and meta(hidden)["error_type"] == "APINotFoundError"
    code = shortcodes.encode(int(w.hidden))
    assert meta(app.get(f"/v1/media/shortcode/{code}", ids))["error_type"] == "APINotFoundError"
    assert meta(app.get(f"/v1/media/{w.hidden}/comments", ids))["error_type"] == (
        "APINotFoundError"
    )
    listed = app.get(f"/v1/users/{w.cy.id}/media/recent", ids)
    assert meta(listed)["error_type"] == "APINotAllowedError"
    for path, params in public_reads:
        assert w.hidden not in json.dumps(app.get(path, {**ids, **params}).json()), path
    # not where v1 wanted a user: anything of self's, writes, people lists
    for path in ("/v1/users/self", "/v1/users/self/feed", "/v1/users/self/media/recent",
                 f"/v1/users/{w.ana.id}/follows", "/v1/users/search?q=an"):  # fmt: skip
        refused = app.get(path, ids)
        assert refused.status_code == 400, path
        assert meta(refused)["error_type"] == "OAuthParameterException", path
    like = app.post(f"/v1/media/{w.photo}/likes?client_id={w.widget.client_id}")
    assert meta(like)["error_type"] == "OAuthParameterException"


def test_method_delete_on_a_post_acts_as_a_delete(world):
    w = world
    likes_path = f"/v1/media/{w.photo}/likes"
    assert w.bo_widget.post(likes_path, {"_method": "DELETE"}).json()["meta"]["code"] == 200
    assert w.bo_widget.get(likes_path).json()["data"] == []
    w.bo_widget.post(likes_path)
    assert w.bo_widget.post(f"{likes_path}?_method=delete").json()["meta"]["code"] == 200
    assert w.bo_widget.get(likes_path).json()["data"] == []
    # the token may come in the form too, as v1's clients send it
    form = Client().post(likes_path, {"access_token": w.bo_widget.token})
    assert form.json()["meta"]["code"] == 200 and len(w.bo_widget.get(likes_path).json()["data"])
    # a comment: its author (or the photo's owner) deletes it; nobody else, whatever the method
    path = f"/v1/media/{w.photo}/comments/{w.comment}"
    refused = w.dee_api.post(path, {"_method": "DELETE"})
    assert meta(refused)["error_type"] == "APINotFoundError"  # dee is blocked: no such photo
    other = w.cy_api.post(path, {"_method": "DELETE"})
    assert meta(other)["error_type"] == "APIForbiddenError"
    assert w.bo_widget.post(path, {"_method": "DELETE"}).json()["meta"]["code"] == 200
    assert [c.id for c in comments.page(w.bo, w.photo, None, 10).comments] != [int(w.comment)]
    # nothing private: cy's photo answers as a missing one to a POST _method=DELETE too
    hidden = w.bo_widget.post(f"/v1/media/{w.hidden}/likes", {"_method": "DELETE"})
    assert meta(hidden)["error_type"] == "APINotFoundError"
    # only DELETE (and PUT) may be asked for; a GET stays a GET
    assert w.bo_widget.get(likes_path, _method="DELETE").json()["data"]
    # anything else is refused, never run as the POST it came as (a like)
    before = len(w.cy_api.get(likes_path).json()["data"])
    for other in ("PATCH", "GET", "likes"):
        answer = w.cy_api.post(likes_path, {"_method": other})
        assert meta(answer)["error_type"] == "APIInvalidParametersError", other
    assert len(w.cy_api.get(likes_path).json()["data"]) == before


@committed
def test_time_windows_and_tag_polling(world):
    w = world
    time.sleep(1.1)  # a later second than the world's photos
    later = post(w.ana, "Night at the pier #sunset", w.place)
    run_tasks()
    posted = int(w.bo_widget.get(f"/v1/media/{later}").json()["data"]["created_time"])
    for path in (f"/v1/users/{w.ana.id}/media/recent", f"/v1/locations/{w.place}/media/recent"):
        newer = w.bo_widget.get(path, min_timestamp=str(posted)).json()["data"]
        assert [m["id"] for m in newer] == [later], path
        older = w.bo_widget.get(path, max_timestamp=str(posted - 1)).json()["data"]
        assert [m["id"] for m in older] == [w.photo, w.older], path
        bad = w.bo_widget.get(path, min_timestamp="yesterday")
        assert meta(bad)["error_type"] == "APIInvalidParametersError"
    first = w.bo_widget.get("/v1/tags/sunset/media/recent", count="1").json()
    assert first["pagination"]["min_tag_id"] == later
    polled = w.bo_widget.get("/v1/tags/sunset/media/recent", min_tag_id=w.photo).json()
    assert [m["id"] for m in polled["data"]] == [later]


def test_private_and_missing_answer_as_v1_did_and_leak_no_more(world):
    """docs/api.md, "Private or missing": a profile is public (v1 showed private accounts'
    profiles), so a private account's lists say APINotAllowedError; a photo never tells private
    from missing; a deactivated account is missing."""
    w = world
    api = w.bo_widget  # bo asked to follow cy; not approved
    profile = api.get(f"/v1/users/{w.cy.id}")
    assert profile.status_code == 200 and profile.json()["data"]["is_private"] is True
    for path in ("media/recent", "follows", "followed-by"):
        refused = api.get(f"/v1/users/{w.cy.id}/{path}")
        assert refused.status_code == 400
        assert meta(refused)["error_type"] == "APINotAllowedError", path
    gone = api.get(f"/v1/users/{w.dee.id}0/media/recent")  # a user ID that does not exist
    assert meta(gone)["error_type"] == "APINotFoundError"
    for kind in ("", "/comments", "/likes"):
        hidden = api.get(f"/v1/media/{w.hidden}{kind}")
        missing = api.get(f"/v1/media/{missing_media()}{kind}")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
        assert hidden.status_code == 400 and meta(hidden)["error_type"] == "APINotFoundError"
    w.cy.is_active = False
    w.cy.save(update_fields=["is_active"])
    users.after_admin_change(w.cy)
    deactivated = api.get(f"/v1/users/{w.cy.id}/media/recent")
    nobody = api.get("/v1/users/1234567890/media/recent")
    assert deactivated.json() == nobody.json() and meta(nobody)["error_type"] == "APINotFoundError"
    assert api.get("/v1/no/such/endpoint").status_code == 404  # a path, not a thing: 404


def test_the_api_answers_at_v1_and_alone_on_its_own_host(world, settings):
    w = world
    assert (
        w.bo_widget.get(f"/v1/media/{w.photo}").json()
        == w.bo_widget.get(f"/api/v1/media/{w.photo}").json()
    )
    assert w.bo_widget.get(f"/v1/media/{w.photo}/").json()["data"]["id"] == w.photo
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, api_host="api.filmroll.test")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.filmroll.test"]
    api_host = {"HTTP_HOST": "api.filmroll.test", **w.bo_widget._headers()}
    client = w.bo_widget.client
    shown = client.get(f"/v1/media/{w.photo}", **api_host).json()["data"]
    assert shown["link"] == f"http://api.filmroll.test/p/{w.code}/"
    oembed = client.get("/oembed", {"url": shown["link"]}, **api_host)
    assert oembed.json()["media_id"] == w.photo
    assert client.get("/healthz", **api_host).status_code == 200
    for path in ("/", "/explore/", "/ana/", "/accounts/login/"):  # only the API there
        answer = client.get(path, **api_host)
        assert answer.status_code == 404 and meta(answer)["error_type"] == "APINotFoundError"
    assert b"<html" in Client().get("/accounts/login/").content  # the site, elsewhere


def test_a_filter_is_named_either_way_and_shown_by_its_display_name(world):
    for given, shown in (("X-Pro II", "X-Pro II"), ("xpro2", "X-Pro II"), ("valencia", "Valencia"),
                         ("LO-FI", "Lo-fi"), ("Normal", "Normal")):  # fmt: skip
        made = upload(world.ana_api, png_bytes(), filter=given)
        assert made.status_code == 201, made.content
        assert made.json()["data"]["filter"] == shown
    refused = upload(world.ana_api, png_bytes(), filter="Gotham")
    assert meta(refused)["error_type"] == "APIInvalidParametersError"
