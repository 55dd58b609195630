"""The home feed: fan-out, reading, caps, rebuilding, and what never shows up."""

import random

import pytest

from filmroll.feeds import home
from filmroll.feeds.store import store
from filmroll.graph import edges, relationships
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def feed_ids(api, **params) -> list[str]:
    return [m["id"] for m in api.get("/api/v1/users/self/feed", **params).json()["data"]]


def follow(api, user):
    api.post(f"/api/v1/users/{user.id}/relationship", {"action": "follow"})


def test_a_post_reaches_every_follower_and_the_author(alice):
    alice_user, alice_api = alice
    followers = [make_user(f"f{n}") for n in range(12)]
    for _, api in followers:
        assert feed_ids(api) == []  # builds each feed
        follow(api, alice_user)
    run_tasks()
    media = upload(alice_api, jpeg_bytes(), caption="hello").json()["data"]
    run_tasks()
    for user, api in followers:
        assert feed_ids(api) == [media["id"]]
        assert store().read(user.id) == [int(media["id"])]
    assert feed_ids(alice_api) == [media["id"]]
    run_tasks()  # running again changes nothing: each post lands once
    for after, through in home.fan_out(int(media["id"])):  # the whole fan-out again
        assert home.deliver(int(media["id"]), after, through) == 0
    assert store().read(followers[0][0].id) == [int(media["id"])]


def test_newest_first_with_stable_cursors_while_posts_arrive(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    follow(bob_api, alice_user)
    posted = [upload(alice_api, jpeg_bytes((200, 200))).json()["data"]["id"] for _ in range(7)]
    run_tasks()
    first = bob_api.get("/api/v1/users/self/feed", count=3).json()
    assert [m["id"] for m in first["data"]] == posted[::-1][:3]
    upload(alice_api, jpeg_bytes((200, 200)))  # a new post while reading
    run_tasks()
    second = bob_api.client.get(
        first["pagination"]["next_url"].removeprefix("http://testserver"),
        HTTP_AUTHORIZATION=f"Bearer {bob_api.token}",
    ).json()
    assert [m["id"] for m in second["data"]] == posted[::-1][3:6]
    third = bob_api.get(
        "/api/v1/users/self/feed", count=3, max_id=second["pagination"]["next_max_id"]
    ).json()
    assert [m["id"] for m in third["data"]] == posted[::-1][6:]
    assert "next_url" not in third["pagination"]


def test_reading_past_the_cap_goes_on_from_the_shards(alice, bob, settings):
    import dataclasses

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, feed_cap=20)
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    feed_ids(bob_api)
    follow(bob_api, alice_user)
    run_tasks()
    posted = [upload(alice_api, jpeg_bytes((100, 100))).json()["data"]["id"] for _ in range(30)]
    run_tasks()
    assert len(store().read(bob_user.id)) == 20  # capped
    seen, cursor = [], None
    while True:
        params = {"count": 7, **({"max_id": cursor} if cursor else {})}
        page = bob_api.get("/api/v1/users/self/feed", **params).json()
        seen += [m["id"] for m in page["data"]]
        cursor = page["pagination"].get("next_max_id")
        if not cursor:
            break
    assert seen == posted[::-1]  # every post once, newest first, no dead end at the cap


def test_a_missing_feed_is_rebuilt_on_first_read_and_wiping_loses_nothing(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    follow(bob_api, alice_user)
    run_tasks()
    for _ in range(3):
        upload(alice_api, jpeg_bytes((100, 100)))
        upload(bob_api, jpeg_bytes((100, 100)))
    run_tasks()
    before = feed_ids(bob_api)
    assert len(before) == 6
    store().drop(bob_user.id)
    assert store().read(bob_user.id) is None
    assert feed_ids(bob_api) == before
    assert home.rebuild(bob_user.id) == [int(m) for m in before]


def test_follow_backfills_and_unfollow_removes(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    posted = [upload(alice_api, jpeg_bytes((100, 100))).json()["data"]["id"] for _ in range(2)]
    assert feed_ids(bob_api) == []
    follow(bob_api, alice_user)
    run_tasks()
    assert feed_ids(bob_api) == posted[::-1]
    bob_api.post(f"/api/v1/users/{alice_user.id}/relationship", {"action": "unfollow"})
    run_tasks()
    assert feed_ids(bob_api) == []


def test_a_deleted_post_leaves_every_feed(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    follow(bob_api, alice_user)
    run_tasks()
    media = upload(alice_api, jpeg_bytes()).json()["data"]
    run_tasks()
    assert feed_ids(bob_api) == [media["id"]]
    alice_api.client.delete(
        f"/api/v1/media/{media['id']}", HTTP_AUTHORIZATION=f"Bearer {alice_api.token}"
    )
    assert feed_ids(bob_api) == []  # gone at once from what is read
    run_tasks()
    assert store().read(bob_user.id) == []  # and from the store in the background


def test_big_accounts_are_merged_in_at_read_time(alice, settings):
    import dataclasses

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, fanout_limit=2)
    star, star_api = make_user("star")
    fans = [make_user(f"fan{n}") for n in range(3)]
    for _, api in fans:
        feed_ids(api)
        follow(api, star)
    run_tasks()
    media = upload(star_api, jpeg_bytes()).json()["data"]
    run_tasks()
    for user, api in fans:
        assert int(media["id"]) not in (store().read(user.id) or [])  # not fanned out
        assert feed_ids(api) == [media["id"]]  # yet there


def test_likes_and_comments_show_on_the_media_and_in_activity(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    carol, carol_api = make_user("carol")
    media = upload(alice_api, jpeg_bytes(), caption="look").json()["data"]
    path = f"/api/v1/media/{media['id']}"
    for api in (bob_api, bob_api, carol_api):  # bob likes twice: one like
        api.post(f"{path}/likes")
    shown = bob_api.get(path).json()["data"]
    assert shown["likes"]["count"] == 2 and shown["user_has_liked"] is True
    assert [u["username"] for u in shown["likes"]["data"]] == ["carol", "bob"]  # latest first
    assert alice_api.get(path).json()["data"]["user_has_liked"] is False
    assert {u["username"] for u in alice_api.get(f"{path}/likes").json()["data"]} == {
        "bob",
        "carol",
    }
    comment = bob_api.post(f"{path}/comments", {"text": "lovely, @carol #sky"}).json()["data"]
    assert comment["text"] == "lovely, @carol #sky" and comment["from"]["username"] == "bob"
    assert bob_api.get(path).json()["data"]["comments"] == {"count": 1, "data": [comment]}
    assert [m["id"] for m in bob_api.get("/api/v1/users/self/media/liked").json()["data"]] == [
        media["id"]
    ]
    activity = alice_api.get("/api/v1/users/self/activity").json()["data"]
    kinds = [item["type"] for item in activity]
    assert kinds == ["comment", "like"]
    like = activity[1]
    assert {u["username"] for u in like["users"]} == {"bob", "carol"}
    assert like["text"] in ("carol and bob liked your photo.", "bob and carol liked your photo.")
    assert like["media"]["id"] == media["id"]
    mention = carol_api.get("/api/v1/users/self/activity").json()["data"]
    assert [item["type"] for item in mention] == ["mention"]
    # deleting: carol (neither commenter nor owner) may not; alice (owner) may
    delete = f"{path}/comments/{comment['id']}"
    assert (
        carol_api.client.delete(delete, HTTP_AUTHORIZATION=f"Bearer {carol_api.token}").status_code
        == 403
    )
    assert (
        alice_api.client.delete(delete, HTTP_AUTHORIZATION=f"Bearer {alice_api.token}").status_code
        == 200
    )
    assert bob_api.get(path).json()["data"]["comments"] == {"count": 0, "data": []}
    bob_api.client.delete(f"{path}/likes", HTTP_AUTHORIZATION=f"Bearer {bob_api.token}")
    assert bob_api.get(path).json()["data"]["likes"]["count"] == 1
    assert bob_api.post(f"{path}/comments", {"text": "x" * 2201}).status_code == 400


def test_nobody_ever_sees_what_they_may_not_in_any_feed_or_list():
    """A randomised check over many graphs: private, blocked and deleted photos never appear."""
    rng = random.Random(4)
    people = [make_user(f"p{n}", private=rng.random() < 0.3) for n in range(8)]
    users = [u for u, _ in people]
    for _, api in people:
        api.get("/api/v1/users/self/feed")
    for a in users:
        for b in rng.sample(users, 4):
            if a != b:
                relationships.follow(a, b)
    for a in users:  # some approvals
        for requester_id in edges.page("follow_requests", a.id, None, 100):
            if rng.random() < 0.5:
                relationships.approve(a, next(u for u in users if u.id == requester_id))
    posts = {}
    for user, api in people:
        for _ in range(2):
            posts[int(upload(api, jpeg_bytes((64, 64))).json()["data"]["id"])] = user
    for _ in range(3):
        a, b = rng.sample(users, 2)
        relationships.block(a, b)
    deleted = rng.sample(sorted(posts), 3)
    for media_id in deleted:
        _, api = next(p for p in people if p[0] == posts[media_id])
        api.client.delete(f"/api/v1/media/{media_id}", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    run_tasks()
    from filmroll.graph import visibility

    for viewer, api in people:
        shown = [int(m) for m in feed_ids(api, count=100)]
        for author in {posts[m] for m in shown}:
            author.refresh_from_db()
        for media_id in shown:
            author = posts[media_id]
            assert media_id not in deleted
            assert visibility.can_see(viewer.id, author)
            assert author == viewer or edges.follows(viewer.id, author.id)
        for media_id, author in posts.items():
            status = api.get(f"/api/v1/media/{media_id}").status_code
            assert status == (
                200 if media_id not in deleted and visibility.can_see(viewer.id, author) else 400
            )


def test_wiping_every_feed_loses_nothing(alice, bob):
    """The feed store is a cache: flush it all, rebuild, and every feed is as it was."""
    from django.core.management import call_command

    from filmroll.feeds.store import RedisStore

    people = [alice, bob, make_user("carol"), make_user("dan")]
    for user, api in people:
        feed_ids(api)
        for other, _ in people:
            if other != user and random.Random(user.id + other.id).random() < 0.7:
                follow(api, other)
    run_tasks()
    for _, api in people:
        for _ in range(2):
            upload(api, jpeg_bytes((64, 64)))
    run_tasks()
    before = {user.id: store().read(user.id) for user, _ in people}
    assert all(before.values())
    feeds = store()
    if isinstance(feeds, RedisStore):
        for client in feeds.clients:
            client.flushdb()
    else:
        for user, _ in people:
            feeds.drop(user.id)
    assert all(feeds.read(user.id) is None for user, _ in people)
    call_command("feeds", "rebuild")
    assert {user.id: store().read(user.id) for user, _ in people} == before
    call_command("feeds", "rebuild", "--user", "alice")
    assert store().read(people[0][0].id) == before[people[0][0].id]


def test_followers_are_cut_into_ranges_that_cover_each_once(alice, settings):
    import dataclasses

    from filmroll.sharding import db as shard_db

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, fanout_batch=3)
    owner, _ = alice
    followers = sorted(shard_db.new_ids(n % 8)[0] for n in range(10))
    for follower in followers:
        edges.add(follower, owner.id)
    ranges = home.follower_ranges(owner.id)
    assert len(ranges) == 4 and ranges[0][0] == 0 and ranges[-1][1] is None
    covered = [
        f for f in followers for low, high in ranges if f > low and (high is None or f <= high)
    ]
    assert covered == followers
