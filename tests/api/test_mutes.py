"""Mutes: a muted person's posts leave the muter's home feed and their actions leave the
muter's activity, with no follow changing and nothing told to the muted person; unmuting
brings everything back."""

from __future__ import annotations

import pytest

from filmroll.graph import edges
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def act(api, user, action):
    return api.post(f"/api/v1/users/{user.id}/relationship", {"action": action})


def feed_ids(api, **params) -> list[str]:
    return [m["id"] for m in api.get("/api/v1/users/self/feed", **params).json()["data"]]


def activity(api) -> list[tuple[str, str]]:
    found = api.get("/api/v1/users/self/activity").json()["data"]
    return [(item["type"], item["users"][0]["username"]) for item in found]


def test_muted_posts_and_actions_vanish_without_a_follow_change_and_come_back():
    ana_user, ana = make_user("ana")
    bo_user, bo = make_user("bo")
    act(bo, ana_user, "follow")
    act(ana, bo_user, "follow")
    run_tasks()
    ana_photo = upload(ana, jpeg_bytes((200, 200))).json()["data"]["id"]
    bo_photo = upload(bo, jpeg_bytes((200, 200))).json()["data"]["id"]
    run_tasks()
    ana.post(f"/api/v1/media/{bo_photo}/likes")
    ana.post(f"/api/v1/media/{bo_photo}/comments", {"text": "lovely"})
    run_tasks()
    assert feed_ids(bo) == [bo_photo, ana_photo]
    told_before = activity(bo)
    assert ("like", "ana") in told_before and ("follow", "ana") in told_before
    ana_sees_before = activity(ana)
    ana_relationship = act(ana, bo_user, "follow").json()["data"]  # what ana sees of bo

    muted = act(bo, ana_user, "mute")
    assert muted.status_code == 200, muted.content
    assert muted.json()["data"]["muted"] is True
    assert muted.json()["data"]["outgoing_status"] == "follows"  # no follow change
    assert bo.get(f"/api/v1/users/{ana_user.id}/relationship").json()["data"]["muted"] is True
    assert edges.follows(bo_user.id, ana_user.id) and edges.follows(ana_user.id, bo_user.id)

    later = upload(ana, jpeg_bytes((200, 200))).json()["data"]["id"]  # posted while muted
    run_tasks()
    assert feed_ids(bo) == [bo_photo]
    assert [who for _, who in activity(bo)] == []  # ana's like, comment and follow are gone
    # the profile still shows the muted person's photos to whoever visits
    recent = bo.get(f"/api/v1/users/{ana_user.id}/media/recent").json()["data"]
    assert [m["id"] for m in recent] == [later, ana_photo]

    # ana is not told: nothing in her activity, the relationship as it was, bo's posts as ever
    assert activity(ana) == ana_sees_before
    seen_by_ana = ana.get(f"/api/v1/users/{bo_user.id}/relationship").json()["data"]
    assert seen_by_ana == ana_relationship and seen_by_ana["muted"] is False
    assert bo_photo in feed_ids(ana)
    counts = ana.get("/api/v1/users/self").json()["data"]["counts"]
    assert counts["followed_by"] == 1 and counts["follows"] == 1

    unmuted = act(bo, ana_user, "unmute")
    assert unmuted.json()["data"]["muted"] is False
    assert feed_ids(bo) == [later, bo_photo, ana_photo]
    assert activity(bo) == told_before


def test_muted_posts_never_shorten_a_page_and_mute_twice_is_once():
    ana_user, ana = make_user("ana")
    cy_user, cy = make_user("cy")
    _, bo = make_user("bo")
    act(bo, ana_user, "follow")
    act(bo, cy_user, "follow")
    run_tasks()
    cys = []
    for _ in range(3):
        upload(ana, jpeg_bytes((120, 120)))
        cys.append(upload(cy, jpeg_bytes((120, 120))).json()["data"]["id"])
    run_tasks()
    act(bo, ana_user, "mute")
    assert act(bo, ana_user, "mute").json()["data"]["muted"] is True  # twice is once
    first = bo.get("/api/v1/users/self/feed", count=2).json()
    assert [m["id"] for m in first["data"]] == cys[::-1][:2]
    rest = bo.get("/api/v1/users/self/feed", count=2, max_id=first["pagination"]["next_max_id"])
    assert [m["id"] for m in rest.json()["data"]] == [cys[0]]


def test_mute_needs_someone_else_and_a_known_action():
    ana_user, ana = make_user("ana")
    refused = act(ana, ana_user, "mute")
    assert refused.status_code == 400
    assert refused.json()["meta"]["error_type"] == "APIInvalidParametersError"
    _, bo = make_user("bo")
    wrong = act(bo, ana_user, "hush")
    assert wrong.status_code == 400 and "mute" in wrong.json()["meta"]["error_message"]
