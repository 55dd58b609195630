"""People in photos ("Photos of you"): the owner tags people at a position on upload and by
edit; a tagged person who may see the photo gets an activity item and a push; their "Photos of
you" tab (`GET /users/{id}/media/tagged`) lists each photo only for viewers who may see it,
and never one the tagged person may not see; they can hide a photo from it or take their tag
off. Who sees a tagged photo is the photo's rule, never the tagged person's."""

from __future__ import annotations

import json

import pytest

from filmroll.activity import events
from filmroll.graph import relationships
from filmroll.media import people
from filmroll.push import notify
from filmroll.push.models import Device, Sent
from filmroll.sharding import db, ids, outbox
from tests.push.test_push import register, services  # noqa: F401  (the push stand-ins)
from tests.support.images import png_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@pytest.fixture
def anon():
    """Anyone: a signed-in stranger who follows nobody and blocks nobody."""
    return make_user("stranger")[1]


def tags(*pairs) -> str:
    """users_in_photo as the form field carries it: (who, x, y), who a username or a user."""
    return json.dumps(
        [
            {"username": who, "x": x, "y": y} if isinstance(who, str)
            else {"user_id": str(who.id), "x": x, "y": y}
            for who, x, y in pairs
        ]
    )  # fmt: skip


def post(api, *pairs, **fields) -> dict:
    answer = upload(api, png_bytes(), users_in_photo=tags(*pairs), **fields)
    assert answer.status_code == 201, answer.content
    return answer.json()["data"]


def in_photo(media: dict) -> list[tuple[str, float, float]]:
    return [
        (t["user"]["username"], t["position"]["x"], t["position"]["y"])
        for t in media["users_in_photo"]
    ]


def tab(api, user) -> list[str]:
    answer = api.get(f"/api/v1/users/{user.id}/media/tagged")
    assert answer.status_code == 200, answer.content
    return [m["id"] for m in answer.json()["data"]]


def tag_events(user) -> list[events.Event]:
    return [e for e in events.page(user.id, None, 50) if e.kind == "tag"]


def activity(api) -> list[dict]:
    return [a for a in api.get("/api/v1/users/self/activity").json()["data"] if a["type"] == "tag"]


def test_tags_on_upload_show_in_the_photo_the_activity_and_the_tab(anon):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    cy, cy_api = make_user("cy")
    media = post(ana_api, ("bo", 0.3, 0.6), (cy, 1, 0))
    assert in_photo(media) == [("bo", 0.3, 0.6), ("cy", 1.0, 0.0)]
    assert media["users_in_photo"][0]["user"] == {
        "id": str(bo.id), "username": "bo", "full_name": "Bo",
        "profile_picture": media["users_in_photo"][0]["user"]["profile_picture"],
    }  # fmt: skip
    shown = anon.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert in_photo(shown) == in_photo(media)
    # a tagged person's new name shows at once (the photo's cached object is keyed by theirs)
    assert bo_api.post("/api/v1/users/self", {"full_name": "Bo Berg"}).status_code == 200
    again = anon.get(f"/api/v1/media/{media['id']}").json()["data"]
    assert again["users_in_photo"][0]["user"]["full_name"] == "Bo Berg"

    (item,) = activity(bo_api)
    assert item["text"] == "ana tagged you in a photo."
    assert [u["username"] for u in item["users"]] == ["ana"] and item["media"]["id"] == media["id"]
    assert len(activity(cy_api)) == 1
    assert tab(bo_api, bo) == tab(anon, bo) == tab(cy_api, bo) == [media["id"]]
    assert tab(bo_api, cy) == [media["id"]] and tab(ana_api, ana) == []
    assert bo_api.get("/api/v1/users/self/media/tagged").json()["data"][0]["id"] == media["id"]
    # the tab pages like a user's photos
    older = post(ana_api, ("bo", 0.5, 0.5))["id"]
    newest = post(ana_api, ("bo", 0.5, 0.5))["id"]
    first = bo_api.get(f"/api/v1/users/{bo.id}/media/tagged", count=2).json()
    assert [m["id"] for m in first["data"]] == [newest, older]
    rest = bo_api.get(f"/api/v1/users/{bo.id}/media/tagged", count=2,
                      max_id=first["pagination"]["next_max_id"]).json()  # fmt: skip
    assert [m["id"] for m in rest["data"]] == [media["id"]] and "next_url" not in rest["pagination"]


def test_bad_tags_are_refused_before_anything_is_posted():
    ana, ana_api = make_user("ana")
    bo, _ = make_user("bo")
    hater, hater_api = make_user("hater")
    relationships.block(hater, ana)  # blocked by the one tagged
    shunned, _ = make_user("shunned")
    relationships.block(ana, shunned)  # blocked by the owner
    gone, _ = make_user("gone")
    gone.is_active = False
    gone.save()
    bad = {
        tags(("nobody", 0.5, 0.5)): "users_in_photo: nobody cannot be tagged",
        tags((hater, 0.5, 0.5)): f"users_in_photo: {hater.id} cannot be tagged",
        tags(("hater", 0.5, 0.5)): "users_in_photo: hater cannot be tagged",
        tags(("shunned", 0.5, 0.5)): "users_in_photo: shunned cannot be tagged",
        tags(("gone", 0.5, 0.5)): "users_in_photo: gone cannot be tagged",
        tags(("bo", 1.5, 0.5)): "users_in_photo: x must be from 0 to 1",
        tags(("bo", 0.5, -0.1)): "users_in_photo: y must be from 0 to 1",
        tags(("bo", 0.5, 0.5), (bo, 0.1, 0.1)): "users_in_photo: bo is tagged twice",
        json.dumps([{"username": "bo", "x": True, "y": 0.5}]):
            "users_in_photo: x must be a number from 0 to 1",
        json.dumps([{"username": "bo", "y": 0.5}]): "users_in_photo: x must be a number from 0 to 1",
        json.dumps([{"username": "bo", "user_id": str(bo.id), "x": 0, "y": 0}]):
            "users_in_photo: give each person's user_id or username (one of them)",
        json.dumps({"username": "bo"}): 'users_in_photo must be a list of {"user_id" or "username", "x", "y"}',
        "[{": "users_in_photo is not valid JSON",
        json.dumps([{"username": f"p{n}", "x": 0, "y": 0} for n in range(21)]):
            "users_in_photo: at most 20 people in a photo",
    }  # fmt: skip
    for value, message in bad.items():
        answer = upload(ana_api, png_bytes(), users_in_photo=value)
        assert answer.status_code == 400, (value, answer.content)
        meta = answer.json()["meta"]
        assert meta == {"code": 400, "error_type": "APIInvalidParametersError",
                        "error_message": message}, value  # fmt: skip
    assert ana_api.get("/api/v1/users/self").json()["data"]["counts"]["media"] == 0
    # a block told in the same words as a person who does not exist
    assert "block" not in json.dumps(bad).lower()
    # twenty is fine, and anyone may tag themselves (no activity for it)
    crowd = [make_user(f"p{n}")[0] for n in range(19)]
    media = post(ana_api, ("ana", 0.5, 0.5), *[(p, n / 20, 0.5) for n, p in enumerate(crowd)])
    assert len(media["users_in_photo"]) == 20 and tag_events(ana) == []
    assert tab(ana_api, ana) == [media["id"]]


def test_a_private_owners_tag_tells_only_people_who_may_see_the_photo(anon):
    carol, carol_api = make_user("carol", private=True)
    fan, fan_api = make_user("fan")  # an approved follower of carol
    relationships.act(fan, carol, "follow")
    relationships.act(carol, fan, "approve")
    bo, bo_api = make_user("bo")  # follows nobody: may not see carol's photos
    media = post(carol_api, ("bo", 0.2, 0.2), ("fan", 0.8, 0.8))
    assert in_photo(media) == [("bo", 0.2, 0.2), ("fan", 0.8, 0.8)]  # the owner tags whom she likes
    run_tasks()
    # bo learns nothing: no event, no activity item; the photo is in nobody's view of his tab
    assert tag_events(bo) == [] and activity(bo_api) == []
    assert tab(bo_api, bo) == [] and tab(fan_api, bo) == [] and tab(carol_api, bo) == []
    assert tab(anon, bo) == []
    assert (
        bo_api.get(f"/api/v1/media/{media['id']}").json()["meta"]["error_type"]
        == "APINotFoundError"
    )
    assert bo_api.client.delete(f"/api/v1/media/{media['id']}/users_in_photo/self",
                                HTTP_AUTHORIZATION=f"Bearer {bo_api.token}").status_code == 400  # fmt: skip
    # the approved follower is told, and her tab shows it to those who may see carol's photos
    assert len(activity(fan_api)) == 1
    assert tab(fan_api, fan) == tab(carol_api, fan) == [media["id"]]
    assert tab(anon, fan) == [] and tab(bo_api, fan) == []
    # once bo may see carol's photos, the photo is in his tab (he was never told of it)
    relationships.act(bo, carol, "follow")
    relationships.act(carol, bo, "approve")
    assert tab(bo_api, bo) == [media["id"]] and tab(anon, bo) == []
    assert tag_events(bo) == []


def test_the_tab_shows_each_photo_only_to_viewers_the_owner_lets_see_it(anon):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    eve, eve_api = make_user("eve")
    relationships.block(ana, eve)  # the owner blocked eve
    rex, rex_api = make_user("rex")
    relationships.block(rex, ana)  # rex blocked the owner
    media = post(ana_api, ("bo", 0.5, 0.5))
    other = post(make_user("zed")[1], ("bo", 0.5, 0.5))
    assert tab(bo_api, bo) == tab(anon, bo) == [other["id"], media["id"]]
    assert tab(eve_api, bo) == [other["id"]]
    assert tab(rex_api, bo) == [other["id"]]
    # someone in a block with the tagged person sees no tab of theirs at all
    relationships.block(bo, eve)
    refused = eve_api.get(f"/api/v1/users/{bo.id}/media/tagged")
    assert refused.json()["meta"]["error_type"] == "APINotAllowedError"
    # nor is the tagged person shown to them in the photo's people
    assert eve_api.get(f"/api/v1/media/{other['id']}").json()["data"]["users_in_photo"] == []
    # a tagged person whom the owner blocks later: the photo leaves their tab for everyone
    relationships.block(ana, bo)
    assert tab(anon, bo) == [other["id"]]


def test_hiding_keeps_the_tag_and_removing_the_own_tag_undoes_it(anon):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    media_id = post(ana_api, ("bo", 0.4, 0.4))["id"]
    path = f"/api/v1/media/{media_id}/users_in_photo/self"
    hidden = bo_api.post(path, {"hidden": "true"})
    assert hidden.status_code == 200 and hidden.json()["data"] == {"hidden": True}
    assert tab(bo_api, bo) == tab(anon, bo) == []
    assert in_photo(anon.get(f"/api/v1/media/{media_id}").json()["data"]) == [("bo", 0.4, 0.4)]
    assert people.is_hidden(bo.id, int(media_id))
    assert bo_api.post(path, {"hidden": "false"}).json()["data"] == {"hidden": False}
    assert tab(anon, bo) == [media_id]
    # only a tagged person may hide it from their tab
    _, cy_api = make_user("cy")
    refused = cy_api.post(path, {"hidden": "true"})
    assert refused.status_code == 400 and refused.json()["meta"]["error_type"] == "APINotFoundError"
    assert bo_api.post(path, {"hidden": "maybe"}).status_code == 400

    removed = bo_api.client.delete(path, HTTP_AUTHORIZATION=f"Bearer {bo_api.token}")
    assert removed.status_code == 200, removed.content
    assert anon.get(f"/api/v1/media/{media_id}").json()["data"]["users_in_photo"] == []
    assert tab(bo_api, bo) == [] and tag_events(bo) == [] and activity(bo_api) == []
    again = bo_api.client.delete(path, HTTP_AUTHORIZATION=f"Bearer {bo_api.token}")
    assert again.status_code == 200  # untagging twice is one untag
    # the form convention works too: a POST with _method=DELETE
    ana_api.post(f"/api/v1/media/{media_id}", {"users_in_photo": tags(("bo", 0.1, 0.1))})
    assert bo_api.post(f"{path}?_method=DELETE").status_code == 200
    assert tab(bo_api, bo) == []


def test_the_owner_edits_the_people_and_nobody_else_may(anon):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    cy, cy_api = make_user("cy")
    media_id = post(ana_api, ("bo", 0.4, 0.4), caption="pier")["id"]
    edited = ana_api.post(
        f"/api/v1/media/{media_id}", {"users_in_photo": tags(("cy", 0.7, 0.2), ("bo", 0.5, 0.5))}
    )
    assert edited.status_code == 200, edited.content
    assert in_photo(edited.json()["data"]) == [("cy", 0.7, 0.2), ("bo", 0.5, 0.5)]
    assert edited.json()["data"]["caption"]["text"] == "pier"
    assert len(tag_events(bo)) == 1 and len(tag_events(cy)) == 1  # a moved tag tells nobody again
    # a JSON body may give the list itself, in the media object's own shape
    shown = anon.get(f"/api/v1/media/{media_id}").json()["data"]["users_in_photo"]
    kept = ana_api.post_json(f"/api/v1/media/{media_id}", {"users_in_photo": shown[1:]})
    assert in_photo(kept.json()["data"]) == [("bo", 0.5, 0.5)]
    assert tab(anon, cy) == [] and tag_events(cy) == [] and activity(cy_api) == []
    assert tab(anon, bo) == [media_id]
    # other edits leave the people as they are; a bad list changes nothing
    ana_api.post(f"/api/v1/media/{media_id}", {"caption": "pier at dusk"})
    bad = ana_api.post(
        f"/api/v1/media/{media_id}",
        {"caption": "changed", "users_in_photo": tags(("nobody", 0.5, 0.5))},
    )
    assert bad.status_code == 400
    now = anon.get(f"/api/v1/media/{media_id}").json()["data"]
    assert in_photo(now) == [("bo", 0.5, 0.5)] and now["caption"]["text"] == "pier at dusk"
    # nobody else edits them, the tagged person included
    refused = bo_api.post(f"/api/v1/media/{media_id}", {"users_in_photo": "[]"})
    assert refused.status_code == 403
    assert in_photo(anon.get(f"/api/v1/media/{media_id}").json()["data"]) == [("bo", 0.5, 0.5)]
    # an empty list untags everyone
    ana_api.post(f"/api/v1/media/{media_id}", {"users_in_photo": "[]"})
    assert anon.get(f"/api/v1/media/{media_id}").json()["data"]["users_in_photo"] == []
    assert tab(anon, bo) == [] and tag_events(bo) == []


def test_a_deleted_photo_leaves_every_tab():
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    media_id = post(ana_api, ("bo", 0.4, 0.4))["id"]
    deleted = ana_api.client.delete(f"/api/v1/media/{media_id}",
                                    HTTP_AUTHORIZATION=f"Bearer {ana_api.token}")  # fmt: skip
    assert deleted.status_code == 200
    assert tab(bo_api, bo) == []
    run_tasks()
    assert photos_of_rows(bo.id) == [] and tag_events(bo) == []


def photos_of_rows(user_id: int) -> list[tuple]:
    return db.fetchall(
        ids.shard_of(user_id),
        "SELECT media_id, owner_id, hidden FROM {photos_of} WHERE user_id = %s",
        [user_id],
    )


def test_a_tag_whose_other_side_failed_is_finished_by_the_outbox(monkeypatch):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")

    def down(*args):
        raise ConnectionError("bo's shard is down")

    monkeypatch.setattr(people, "_mirror", down)
    media_id = post(ana_api, ("bo", 0.4, 0.4))["id"]  # the photo's side commits all the same
    assert photos_of_rows(bo.id) == [] and tag_events(bo) == []
    assert [w[2] for w in outbox.waiting()] == ["media.settle_people"]
    monkeypatch.undo()
    outbox.relay(grace_seconds=0)
    run_tasks()
    assert photos_of_rows(bo.id) == [(int(media_id), ana.id, 0)]
    assert len(tag_events(bo)) == 1 and tab(bo_api, bo) == [media_id]
    assert outbox.waiting() == []
    people.settle(ana.id, int(media_id), [bo.id])  # settling again changes nothing
    assert photos_of_rows(bo.id) == [(int(media_id), ana.id, 0)] and len(tag_events(bo)) == 1


def test_a_tag_is_pushed_as_its_own_kind_that_can_be_turned_off(services):  # noqa: F811
    _, fcm, _ = services
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    carol, carol_api = make_user("carol", private=True)
    register(bo_api, "fcm", "bo-phone")
    assert bo_api.get("/api/v1/users/self/push").json()["data"]["tag"] is True
    post(ana_api, ("bo", 0.5, 0.5))
    run_tasks()
    assert [m["notification"]["body"] for m in fcm.received] == ["ana tagged you in a photo."]
    assert fcm.received[0]["data"]["kind"] == "tag"
    post(carol_api, ("bo", 0.5, 0.5))  # a private owner bo does not follow: no push
    run_tasks()
    assert len(fcm.received) == 1
    assert bo_api.post("/api/v1/users/self/push", {"tag": "false"}).json()["data"]["tag"] is False
    post(ana_api, ("bo", 0.5, 0.5))
    run_tasks()
    assert len(fcm.received) == 1 and Sent.objects.count() == 1
    (event, *_) = tag_events(bo)
    assert notify.deliver(bo.id, event.id) == 0 and Device.objects.count() == 1


@pytest.mark.parametrize("blocker", ["owner", "tagged"])
def test_a_block_takes_each_off_the_others_photos(anon, blocker):
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    cy, _ = make_user("cy")
    hers = post(ana_api, ("bo", 0.3, 0.6), ("cy", 0.5, 0.5))["id"]
    his = post(bo_api, ("ana", 0.2, 0.2))["id"]
    run_tasks()
    assert tab(anon, bo) == [hers] and tab(anon, ana) == [his]
    who, whom = (ana_api, bo) if blocker == "owner" else (bo_api, ana)
    answer = who.post(f"/api/v1/users/{whom.id}/relationship", {"action": "block"})
    assert answer.status_code == 200, answer.content
    run_tasks()
    # everyone else still sees both photos, with only the people outside the block in them
    assert [p[0] for p in in_photo(anon.get(f"/api/v1/media/{hers}").json()["data"])] == ["cy"]
    assert in_photo(anon.get(f"/api/v1/media/{his}").json()["data"]) == []
    assert tab(anon, bo) == [] and tab(anon, ana) == [] and tab(anon, cy) == [hers]
    assert photos_of_rows(bo.id) == [] and photos_of_rows(ana.id) == []
    assert tag_events(bo) == [] and tag_events(ana) == []
