"""Saved photos: a private list (POST/DELETE /media/{id}/saved, GET /users/self/media/saved),
newest saved first, paged, each photo's visibility checked again at read, seen by its owner
alone, and `user_has_saved` in the saver's media objects only."""

from __future__ import annotations

import pytest

from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

SAVED = "/api/v1/users/self/media/saved"


def saved_ids(api, **params) -> list[str]:
    answer = api.get(SAVED, **params)
    assert answer.status_code == 200, answer.content
    return [m["id"] for m in answer.json()["data"]]


def unsave(api, media_id):
    return api.client.delete(
        f"/api/v1/media/{media_id}/saved", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )


def test_save_list_page_and_remove():
    _, ana = make_user("ana")
    _, bo = make_user("bo")
    photos = [upload(ana, jpeg_bytes((120, 120))).json()["data"]["id"] for _ in range(3)]
    for media_id in (photos[1], photos[0], photos[2], photos[0]):  # the last is a second save
        answer = bo.post(f"/api/v1/media/{media_id}/saved")
        assert answer.status_code == 200, answer.content
    assert saved_ids(bo) == [photos[2], photos[0], photos[1]]  # newest saved first
    first = bo.get(SAVED, count=2).json()
    assert [m["id"] for m in first["data"]] == [photos[2], photos[0]]
    assert first["data"][0]["user_has_saved"] is True
    rest = saved_ids(bo, count=2, max_id=first["pagination"]["next_max_id"])
    assert rest == [photos[1]]

    # the flag is the viewer's own: true for bo, false for ana and for an app alone
    assert bo.get(f"/api/v1/media/{photos[0]}").json()["data"]["user_has_saved"] is True
    assert ana.get(f"/api/v1/media/{photos[0]}").json()["data"]["user_has_saved"] is False
    feed = ana.get("/api/v1/users/self/feed").json()["data"]
    assert {m["user_has_saved"] for m in feed} == {False}

    assert unsave(bo, photos[0]).status_code == 200
    assert unsave(bo, photos[0]).status_code == 200  # twice is once
    assert saved_ids(bo) == [photos[2], photos[1]]
    assert bo.get(f"/api/v1/media/{photos[0]}").json()["data"]["user_has_saved"] is False


def test_nobody_else_sees_a_saved_list():
    ana_user, ana = make_user("ana")
    bo_user, bo = make_user("bo")
    photo = upload(ana, jpeg_bytes((120, 120))).json()["data"]["id"]
    bo.post(f"/api/v1/media/{photo}/saved")
    assert saved_ids(ana) == []  # the photo's owner is not told who saved it
    for path in (f"/api/v1/users/{bo_user.id}/media/saved", f"/v1/users/{bo_user.id}/media/saved"):
        answer = ana.get(path)
        assert answer.status_code == 404 and answer.json()["meta"]["error_type"] != ""
    anonymous = bo.client.get(SAVED)  # no token
    assert anonymous.status_code in (400, 401)
    shown = ana.get(f"/api/v1/media/{photo}").json()["data"]
    assert shown["user_has_saved"] is False and shown["likes"]["count"] == 0


def test_a_photo_that_may_no_longer_be_seen_drops_out():
    ana_user, ana = make_user("ana")
    cy_user, cy = make_user("cy", private=True)
    dee_user, dee = make_user("dee")
    bo_user, bo = make_user("bo")
    bo.post(f"/api/v1/users/{cy_user.id}/relationship", {"action": "follow"})
    cy.post(f"/api/v1/users/{bo_user.id}/relationship", {"action": "approve"})
    run_tasks()
    deleted = upload(ana, jpeg_bytes((120, 120))).json()["data"]["id"]
    kept = upload(ana, jpeg_bytes((120, 120))).json()["data"]["id"]
    private = upload(cy, jpeg_bytes((120, 120))).json()["data"]["id"]
    blocked = upload(dee, jpeg_bytes((120, 120))).json()["data"]["id"]
    for media_id in (deleted, kept, private, blocked):
        assert bo.post(f"/api/v1/media/{media_id}/saved").status_code == 200
    assert saved_ids(bo) == [blocked, private, kept, deleted]

    ana.client.delete(f"/api/v1/media/{deleted}", HTTP_AUTHORIZATION=f"Bearer {ana.token}")
    bo.post(f"/api/v1/users/{cy_user.id}/relationship", {"action": "unfollow"})
    dee.post(f"/api/v1/users/{bo_user.id}/relationship", {"action": "block"})
    run_tasks()
    assert saved_ids(bo) == [kept]

    # a photo bo may not see cannot be saved: as if it did not exist
    refused = bo.post(f"/api/v1/media/{private}/saved")
    assert refused.status_code == 400
    assert refused.json()["meta"]["error_type"] == "APINotFoundError"
    assert bo.post("/api/v1/media/12345/saved").json()["meta"]["error_type"] == "APINotFoundError"
    # following again brings the saved photo back: the save was kept
    bo.post(f"/api/v1/users/{cy_user.id}/relationship", {"action": "follow"})
    cy.post(f"/api/v1/users/{bo_user.id}/relationship", {"action": "approve"})
    assert saved_ids(bo) == [private, kept]
