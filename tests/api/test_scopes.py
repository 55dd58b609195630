"""The scope × endpoint matrix, read from the OpenAPI document's table so the document and the
behaviour cannot drift apart: every endpoint refuses a token without its scope (403
OAuthPermissionsException) and lets one with it through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from filmroll.api import openapi, scopes
from filmroll.media import comments, shortcodes
from filmroll.places import places
from tests.discovery.test_geo import post_at
from tests.support.images import png_bytes
from tests.support.personas import Api, make_user

REAL_SCOPES = [scopes.BASIC, scopes.PUBLIC, scopes.COMMENTS, scopes.RELATIONSHIPS, scopes.LIKES,
               scopes.FOLLOWERS]  # fmt: skip
BODIES = {
    ("/users/{user_id}/relationship", "post"): {"action": "follow"},
    ("/media/{media_id}/comments", "post"): {"text": "nice"},
    ("/accounts/password", "post"): {"old_password": "x", "new_password": "y"},
    ("/users/self", "post"): {"bio": "hello"},
    ("/media/{media_id}", "post"): {"caption": "edited"},
    ("/locations", "post"): {"name": "Pier", "lat": "1", "lng": "2"},
}
CHECKED = [op for op in openapi.OPERATIONS if op[3] not in (None, "any")]


def app_token(user, granted: list[str]) -> Api:
    owner = make_user("dev")[0] if not Application.objects.filter(name="Matrix").exists() else None
    app = Application.objects.filter(name="Matrix").first() or Application.objects.create(
        name="Matrix",
        user=owner,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://app.example/cb",
    )
    raw = f"matrix-{user.id}-{'-'.join(granted) or 'none'}"
    AccessToken.objects.create(
        user=user,
        application=app,
        token=raw,
        expires=timezone.now() + timedelta(hours=1),
        scope=" ".join(granted),
    )
    return Api(Client(), raw)


@pytest.fixture
def world():
    alice, _ = make_user("alice")
    bob, bob_first_party = make_user("bob")
    photo = post_at(alice, 10.0, 20.0, "#harbour at noon")
    comment = comments.add(bob, photo, "lovely")
    place = places.create(alice.id, places.check("Harbour", 10.0, 20.0))
    values = {
        "user_id": str(alice.id), "media_id": photo, "comment_id": str(comment.id),
        "location_id": str(place), "name": "harbour", "code": shortcodes.encode(int(photo)),
        "geo_id": "1",
    }  # fmt: skip
    return bob, bob_first_party, values


def call(api: Api, path: str, method: str, values: dict):
    url = "/api/v1" + path.format(**values)
    body = BODIES.get((path, method), {})
    if path == "/media":
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = {"image": SimpleUploadedFile("p.png", png_bytes(), "image/png")}
    if method == "get":
        query = {"q": "har", "lat": "10", "lng": "20"}
        return api.client.get(url, query, **api._headers())
    if method == "delete":
        return api.client.delete(url, **api._headers())
    return api.post(url, body)


def error_type(answer) -> str | None:
    return answer.json().get("meta", {}).get("error_type")


@pytest.mark.parametrize("op", CHECKED, ids=[f"{op[1].upper()} {op[0]}" for op in CHECKED])
def test_each_endpoint_needs_its_scope(world, op):
    bob, bob_first_party, values = world
    path, method, _, needed = op[:4]
    if needed == scopes.FIRST_PARTY:
        every_scope = call(app_token(bob, REAL_SCOPES), path, method, values)
        assert every_scope.status_code == 403, every_scope.content
        assert error_type(every_scope) == "OAuthPermissionsException"
        allowed = call(bob_first_party, path, method, values)
    elif needed == openapi.SELF_OR_PUBLIC:
        basic_only = app_token(bob, [scopes.BASIC])
        other = call(basic_only, path, method, values)
        assert other.status_code == 403 and error_type(other) == "OAuthPermissionsException"
        if "{user_id}" in path:
            mine = call(basic_only, path, method, {**values, "user_id": "self"})
            assert mine.status_code == 200, mine.content
        allowed = call(app_token(bob, [scopes.PUBLIC]), path, method, values)
    else:
        others = [s for s in REAL_SCOPES if s != needed]
        without = call(app_token(bob, others), path, method, values)
        assert without.status_code == 403, without.content
        assert error_type(without) == "OAuthPermissionsException"
        assert needed in without.json()["meta"]["error_message"]
        allowed = call(app_token(bob, [needed]), path, method, values)
    assert allowed.status_code < 500, allowed.content
    assert error_type(allowed) != "OAuthPermissionsException", allowed.content
