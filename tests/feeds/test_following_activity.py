"""The Following tab (GET /api/v1/users/self/activity/following): what the people you follow did,
grouped, newest first, paged, and never anything the reader may not see: private photos of
people they do not follow, anyone in a block with them either way, people they no longer follow."""

from __future__ import annotations

import pytest

from filmroll.accounts.models import User
from filmroll.activity import actions
from filmroll.activity.actions import Action
from filmroll.feeds import following
from filmroll.graph import relationships
from filmroll.media import comments, likes
from filmroll.sharding import ids
from tests.support.images import png_bytes, upload
from tests.support.personas import Api, make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

PATH = "/api/v1/users/self/activity/following"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # every action of a test in one grouping window, wherever the clock stands
    monkeypatch.setattr(following, "WINDOW_MS", 10**13)


def post(api: Api) -> int:
    answer = upload(api, png_bytes())
    assert answer.status_code == 201, answer.content
    return int(answer.json()["data"]["id"])


def follow(who: User, whom: User) -> None:
    relationships.act(who, whom, "follow")


def tab(api: Api, **params) -> list[dict]:
    answer = api.get(PATH, **params)
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]


def texts(api: Api) -> list[str]:
    return [item["text"] for item in tab(api)]


def test_grouped_newest_first():
    viewer, viewer_api = make_user("vi")
    owner, owner_api = make_user("ow")
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    cy, _ = make_user("cy")
    tess, _ = make_user("tess")
    ugo, _ = make_user("ugo")
    for person in (ana, bo, cy):
        follow(viewer, person)
    p1, p2, p3 = post(owner_api), post(owner_api), post(owner_api)
    mine = post(viewer_api)
    likes.like(ana, p1)
    likes.like(ana, p2)
    likes.like(bo, p3)
    likes.like(cy, p3)
    likes.like(ana, mine)  # the viewer's own photo: the You tab's, not this one's
    follow(ana, viewer)  # likewise
    follow(cy, tess)
    follow(cy, ugo)
    comments.add(bo, p1, "nice light")
    found = tab(viewer_api)
    assert [item["text"] for item in found] == [
        "bo commented on ow's photo: nice light",
        "cy started following ugo and tess.",
        "cy and bo liked ow's photo.",
        "ana liked 2 photos.",
    ]
    assert [item["type"] for item in found] == ["comment", "follow", "like", "like"]
    assert found[0]["comment"] == "nice light" and found[0]["media"][0]["id"] == str(p1)
    assert [u["username"] for u in found[1]["targets"]] == ["ugo", "tess"]
    assert [u["username"] for u in found[2]["users"]] == ["cy", "bo"]
    assert [m["id"] for m in found[3]["media"]] == [str(p2), str(p1)]
    stamps = [int(item["created_time"]) for item in found]
    assert stamps == sorted(stamps, reverse=True) and len({item["id"] for item in found}) == 4
    # a like again moves to the top, once; an unlike takes it back
    likes.unlike(ana, p1)
    likes.like(ana, p1)
    likes.unlike(ana, p2)
    assert texts(viewer_api)[-1] == "ana liked ow's photo."  # the unlike counts at once
    following.forget(viewer.id)  # the re-like is new: it shows once the kept list is made again
    assert texts(viewer_api) == [
        "ana liked ow's photo.",
        "bo commented on ow's photo: nice light",
        "cy started following ugo and tess.",
        "cy and bo liked ow's photo.",
    ]


def test_many_people_on_one_photo_read_as_two_names_and_others():
    viewer, _ = make_user("vi")
    viewer_api = Api(make_user("spare")[1].client, None)
    from filmroll.accounts import tokens

    viewer_api.token = tokens.issue(viewer)
    owner, owner_api = make_user("ow")
    photo = post(owner_api)
    people = [make_user(f"p{n}")[0] for n in range(5)]
    for person in people:
        follow(viewer, person)
        likes.like(person, photo)
    assert texts(viewer_api) == ["p4, p3 and 3 others liked ow's photo."]


def test_a_private_photo_shows_only_to_those_who_may_see_it(carol):
    carol_user, carol_api = carol
    viewer, viewer_api = make_user("vi")
    ana, ana_api = make_user("ana")
    follow(viewer, ana)
    follow(ana, carol_user)  # a request: carol is private
    relationships.act(carol_user, ana, "approve")
    photo = post(carol_api)
    _, owner_api = make_user("ow")
    public = [post(owner_api), post(owner_api)]
    likes.like(ana, public[0])
    likes.like(ana, photo)
    likes.like(ana, public[1])
    comments.add(ana, photo, "secret words")
    found = tab(viewer_api)
    # the viewer does not follow carol: neither that like (not even counted) nor the comment
    assert [item["text"] for item in found] == [
        "ana liked 2 photos.",
        "ana started following carol.",
    ]
    assert [m["id"] for m in found[0]["media"]] == [str(public[1]), str(public[0])]
    assert "secret words" not in viewer_api.get(PATH).content.decode()
    # once carol approves the viewer, they see it at once (whom they follow changed)
    follow(viewer, carol_user)
    relationships.act(carol_user, viewer, "approve")
    assert texts(viewer_api) == [
        "ana commented on carol's photo: secret words",
        "ana liked 3 photos.",
        "ana started following carol.",
    ]


@pytest.mark.parametrize("who_blocks", ["viewer", "other"])
def test_blocks_hide_both_ways(who_blocks):
    viewer, viewer_api = make_user("vi")
    owner, owner_api = make_user("ow")
    tess, _ = make_user("tess")
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    follow(viewer, ana)
    follow(viewer, bo)
    photo = post(owner_api)
    likes.like(ana, photo)
    comments.add(ana, photo, "look")
    follow(ana, tess)
    likes.like(bo, post(make_user("zed")[1]))
    assert len(tab(viewer_api)) == 4  # read once: the reader's list is kept for a while

    def block(a: User, b: User) -> None:
        relationships.act(a, b, "block") if who_blocks == "viewer" else relationships.act(
            b, a, "block"
        )

    block(viewer, owner)  # the photo's owner: ana's like and comment of it go
    assert texts(viewer_api) == ["bo liked zed's photo.", "ana started following tess."]
    block(viewer, tess)  # the person followed: ana's follow goes
    assert texts(viewer_api) == ["bo liked zed's photo."]
    block(viewer, bo)  # the actor: everything bo did goes
    assert texts(viewer_api) == []


def test_unfollow_takes_effect_at_once():
    viewer, viewer_api = make_user("vi")
    owner, owner_api = make_user("ow")
    ana, _ = make_user("ana")
    bo, _ = make_user("bo")
    follow(viewer, ana)
    follow(viewer, bo)
    photo = post(owner_api)
    likes.like(ana, photo)
    likes.like(bo, photo)
    assert texts(viewer_api) == ["bo and ana liked ow's photo."]
    relationships.act(viewer, bo, "unfollow")
    assert texts(viewer_api) == ["ana liked ow's photo."]


def test_a_deleted_comment_or_photo_is_gone():
    viewer, viewer_api = make_user("vi")
    owner, owner_api = make_user("ow")
    ana, _ = make_user("ana")
    follow(viewer, ana)
    photo, other = post(owner_api), post(owner_api)
    said = comments.add(ana, photo, "first")
    likes.like(ana, other)
    assert len(tab(viewer_api)) == 2
    comments.delete(ana, photo, said.id)
    assert texts(viewer_api) == ["ana liked ow's photo."]
    assert owner_api.client.delete(
        f"/api/v1/media/{other}", HTTP_AUTHORIZATION=f"Bearer {owner_api.token}"
    ).status_code in (200, 204)
    assert texts(viewer_api) == []


def test_pages_neither_repeat_nor_skip():
    viewer, viewer_api = make_user("vi")
    owner, owner_api = make_user("ow")
    ana, _ = make_user("ana")
    follow(viewer, ana)
    photo = post(owner_api)
    for n in range(7):
        comments.add(ana, photo, f"comment {n}")
    likes.like(ana, photo)
    seen: list[str] = []
    answer = viewer_api.get(PATH, count=3).json()
    while True:
        assert len(answer["data"]) <= 3
        seen += [item["text"] for item in answer["data"]]
        url = answer["pagination"].get("next_url")
        if url is None:
            break
        # the cursor: the oldest group's place on the page
        assert answer["pagination"]["next_max_id"] == min(
            (i["id"] for i in answer["data"]), key=int
        )
        answer = viewer_api.client.get(
            url.removeprefix("http://testserver"), HTTP_AUTHORIZATION=f"Bearer {viewer_api.token}"
        ).json()
    assert seen == ["ana liked ow's photo."] + [
        f"ana commented on ow's photo: comment {n}" for n in reversed(range(7))
    ]
    assert viewer_api.get(PATH, count="lots").status_code == 400
    assert viewer_api.get(PATH, max_id="x1").status_code == 400
    assert Api(viewer_api.client).get(PATH).status_code in (400, 401)  # no token


def test_windows_group_apart(monkeypatch):
    """Likes either side of a window's edge are separate lines; within one window they group."""
    monkeypatch.setattr(following, "WINDOW_MS", 3 * 3600 * 1000)
    start = (ids.EPOCH_MS // following.WINDOW_MS + 1000) * following.WINDOW_MS  # an edge
    made = [
        Action(ids.make_id(start + 5, 1, 0), 1, "like", 100),
        Action(ids.make_id(start + 1, 1, 1), 1, "like", 101),
        Action(ids.make_id(start - 1, 1, 2), 1, "like", 102),
    ]
    assert [[a.target_id for a in g] for g in following.group_actions(made)] == [[100, 101], [102]]


def test_each_actor_keeps_a_capped_list():
    ana, _ = make_user("ana")
    for n in range(actions.CAP + 5):
        actions.record(ana.id, "follow", 10_000 + n)
    actions.record(ana.id, "follow", 10_000 + actions.CAP + 2)  # again: moves up, not twice
    kept = actions.store().recent([ana.id], 100)
    assert len(kept) == actions.CAP
    assert [a.target_id for a in kept[:2]] == [10_000 + actions.CAP + 2, 10_000 + actions.CAP + 4]
    assert len({a.target_id for a in kept}) == actions.CAP


def test_the_web_tab_draws_a_photo_with_a_content_warning_blurred():
    from django.test import Client

    vi, _ = make_user("vi")
    ana, _ = make_user("ana")
    ow, ow_api = make_user("ow")
    follow(vi, ana)
    warned = upload(ow_api, png_bytes(), sensitive="true", spoiler_text="a bite")
    plain = upload(ow_api, png_bytes())
    for answer in (warned, plain):
        assert answer.status_code == 201, answer.content
        likes.like(ana, int(answer.json()["data"]["id"]))
    browser = Client()
    browser.force_login(vi)
    page = browser.get("/activity/following/").content.decode()
    assert page.count("<img src=") >= 2 and page.count('class="veiled"') == 1
