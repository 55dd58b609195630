"""An attacker against the cached reads (api/fragments.py, the object cache's multi-get, the
liked flags, photos' remembered owners): whatever was kept of a photo, the very next read after
a write shows the write, and no viewer is shown another viewer's parts or what a block or a
privacy setting hides. Each attack runs on the install as configured (the embedded default
keeps no fragments) and again against a memcached of its own, where fragments are kept."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from filmroll import objcache
from filmroll.accounts import users
from filmroll.accounts.models import User
from filmroll.api import fragments
from filmroll.graph import relationships
from tests.support.images import jpeg_bytes, png_bytes, upload
from tests.support.personas import PASSWORD, Api, make_user
from tests.support.servers import memcached_server, use_object_cache
from tests.support.tasks import run_tasks

_cluster = bool(settings.FILMROLL.cache_servers)  # the run's own configuration

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "backend"),
]


@pytest.fixture
def own_memcached() -> Iterator[str]:
    """A memcached of this test's own on a free loopback port: its address."""
    with memcached_server() as where:
        yield where


@pytest.fixture(params=["configured", "memcached"])
def backend(request, settings) -> Iterator[str]:
    """The install as configured, or the object cache in a memcached of this test's own."""
    fragments.forget()
    if request.param == "memcached":
        where = request.getfixturevalue("own_memcached")
        use_object_cache(settings, where)
    yield request.param
    fragments.forget()


def media_path(media_id: str) -> str:
    return f"/api/v1/media/{media_id}"


def shown(api: Api, media_id: str) -> dict | None:
    """The photo as the viewer is shown it, twice (the second from whatever the first kept),
    both the same; None when it answers as missing."""
    seen = []
    for _ in range(2):
        answer = api.get(media_path(media_id))
        if answer.status_code == 400 and answer.json()["meta"]["error_type"] == "APINotFoundError":
            seen.append(None)  # v1 answers a missing photo with a 400
        else:
            assert answer.status_code in (200, 201), answer.content
            seen.append(answer.json()["data"])
    assert seen[0] == seen[1]
    return seen[0]


def summary(api: Api, media_id: str) -> tuple:
    item = shown(api, media_id)
    assert item is not None
    return (
        item["likes"]["count"],
        sorted(u["username"] for u in item["likes"]["data"]),
        item["comments"]["count"],
        [c["from"]["username"] for c in item["comments"]["data"]],
        item["user_has_liked"],
    )


def post_photo(api: Api, caption: str = "") -> str:
    answer = upload(api, jpeg_bytes(), caption=caption)
    assert answer.status_code in (200, 201), answer.content
    return answer.json()["data"]["id"]


def follow(api: Api, target: User) -> None:
    assert api.post(
        f"/api/v1/users/{target.id}/relationship", {"action": "follow"}
    ).status_code in (200, 201)


def test_a_photo_made_private_after_it_was_kept_is_gone_for_non_followers(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    _, fan_api = make_user("fan")
    follow(fan_api, alice_user)
    media_id = post_photo(alice_api, "hello @bob")
    assert shown(bob_api, media_id) is not None
    assert alice_api.post("/api/v1/users/self", {"is_private": "true"}).status_code in (200, 201)
    assert shown(bob_api, media_id) is None
    assert shown(fan_api, media_id) is not None  # an approved follower still sees it
    assert (
        fan_api.post(
            f"/api/v1/users/{alice_user.id}/relationship", {"action": "unfollow"}
        ).status_code
        == 200
    )
    assert shown(fan_api, media_id) is None
    assert alice_api.post("/api/v1/users/self", {"is_private": "false"}).status_code in (200, 201)
    assert shown(bob_api, media_id) is not None


def test_likers_and_commenters_in_a_block_with_the_viewer_are_left_out(alice, bob, dan):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    dan_user, dan_api = dan  # alice blocked dan
    erin_user, erin_api = make_user("erin")
    media_id = post_photo(erin_api, "by erin, hi @dan @alice")
    for api in (bob_api, dan_api):
        api.post(f"{media_path(media_id)}/likes")
        said = api.post(f"{media_path(media_id)}/comments", {"text": "nice @alice @dan"})
        assert said.status_code == 200
    assert summary(alice_api, media_id) == (2, ["bob"], 2, ["bob"], False)
    assert summary(dan_api, media_id) == (2, ["bob", "dan"], 2, ["bob", "dan"], True)
    # kept now; the one who blocked dan likes and comments: dan is not shown either
    alice_api.post(f"{media_path(media_id)}/likes")
    assert alice_api.post(f"{media_path(media_id)}/comments", {"text": "@dan"}).status_code == 200
    assert summary(dan_api, media_id) == (3, ["bob", "dan"], 3, ["bob", "dan"], True)
    assert summary(alice_api, media_id) == (3, ["alice", "bob"], 3, ["bob", "alice"], True)
    # blocked after the photo was kept: by the viewer, and of the viewer
    relationships.block(alice_user, bob_user)
    assert summary(alice_api, media_id) == (3, ["alice"], 3, ["alice"], True)
    assert summary(bob_api, media_id) == (3, ["bob", "dan"], 3, ["bob", "dan"], True)
    relationships.block(dan_user, erin_user)  # the owner is now in a block with dan
    assert shown(dan_api, media_id) is None
    relationships.unblock(alice_user, bob_user)
    assert summary(alice_api, media_id) == (3, ["alice", "bob"], 3, ["bob", "alice"], True)


def test_the_owner_blocking_a_viewer_after_caching_hides_the_photo_and_the_feed(alice, bob):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    follow(bob_api, alice_user)
    media_id = post_photo(alice_api, "mine")
    run_tasks()
    feed = bob_api.get("/api/v1/users/self/feed").json()["data"]
    assert [m["id"] for m in feed] == [media_id] and shown(bob_api, media_id) is not None
    web = Client()
    web.force_login(bob_user)
    code = feed[0]["shortcode"]
    assert [m["id"] for m in web.get("/").context["items"]] == [media_id]
    assert web.get(f"/p/{code}/").status_code == 200
    relationships.block(alice_user, bob_user)
    assert shown(bob_api, media_id) is None
    assert bob_api.get("/api/v1/users/self/feed").json()["data"] == []
    assert web.get("/").context["items"] == []
    assert web.get(f"/p/{code}/").status_code == 404
    anonymous = Client()  # a private account's photo page, after it was read in public
    assert anonymous.get(f"/p/{code}/").status_code == 200
    assert alice_api.post("/api/v1/users/self", {"is_private": "true"}).status_code == 200
    assert anonymous.get(f"/p/{code}/").status_code == 404


def test_user_has_liked_is_each_viewers_own_right_after_like_and_unlike(alice, bob, carol):
    _, alice_api = alice
    _, bob_api = bob
    _, carol_api = carol
    media_id = post_photo(alice_api)
    likes = f"{media_path(media_id)}/likes"
    assert summary(bob_api, media_id) == (0, [], 0, [], False)
    assert bob_api.post(likes).status_code in (200, 201)
    assert summary(bob_api, media_id) == (1, ["bob"], 0, [], True)
    assert summary(carol_api, media_id) == (1, ["bob"], 0, [], False)
    assert summary(alice_api, media_id) == (1, ["bob"], 0, [], False)
    assert carol_api.post(likes).status_code in (200, 201)
    assert summary(carol_api, media_id) == (2, ["bob", "carol"], 0, [], True)
    assert bob_api.post(likes, {"_method": "DELETE"}).status_code in (200, 201)
    assert summary(bob_api, media_id) == (1, ["carol"], 0, [], False)
    assert summary(carol_api, media_id) == (1, ["carol"], 0, [], True)
    assert bob_api.post(likes).status_code == 200  # liked again: the flag comes back
    assert summary(bob_api, media_id) == (2, ["bob", "carol"], 0, [], True)
    feed_of = {m["id"]: m for m in alice_api.get("/api/v1/users/self/media/liked").json()["data"]}
    assert media_id not in feed_of  # alice never liked it


def test_counts_and_comments_are_exact_right_after_comment_and_delete(alice, bob):
    _, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api)
    comments = f"{media_path(media_id)}/comments"
    assert summary(bob_api, media_id)[2:4] == (0, [])
    made = [bob_api.post(comments, {"text": f"c{n}"}).json()["data"]["id"] for n in range(2)]
    assert summary(alice_api, media_id)[2:4] == (2, ["bob", "bob"])
    assert bob_api.post(f"{comments}/{made[0]}", {"_method": "DELETE"}).status_code in (200, 201)
    item = shown(alice_api, media_id)
    assert item is not None
    assert item["comments"]["count"] == 1
    assert [c["id"] for c in item["comments"]["data"]] == [made[1]]
    assert (
        alice_api.post(f"{comments}/{made[1]}", {"_method": "DELETE"}).status_code == 200
    )  # by the owner
    assert summary(bob_api, media_id)[2:4] == (0, [])


def test_a_deleted_photo_and_a_deactivated_account_disappear(alice, bob):
    alice_user, alice_api = alice
    _, bob_api = bob
    erin_user, erin_api = make_user("erin")
    media_id = post_photo(alice_api)
    assert erin_api.post(f"{media_path(media_id)}/comments", {"text": "hi"}).status_code in (
        200,
        201,
    )
    erin_api.post(f"{media_path(media_id)}/likes")
    assert summary(bob_api, media_id) == (1, ["erin"], 1, ["erin"], False)
    erin_user.is_active = False  # staff deactivate erin in the admin
    erin_user.save(update_fields=["is_active"])
    users.after_admin_change(erin_user)
    assert summary(bob_api, media_id) == (1, [], 1, [], False)  # counts stay, as v1 did
    alice_user.is_active = False
    alice_user.save(update_fields=["is_active"])
    users.after_admin_change(alice_user)
    assert shown(bob_api, media_id) is None
    alice_user.is_active = True
    alice_user.save(update_fields=["is_active"])
    users.after_admin_change(alice_user)
    assert shown(bob_api, media_id) is not None
    assert alice_api.post(media_path(media_id), {"_method": "DELETE"}).status_code in (200, 201)
    assert shown(bob_api, media_id) is None
    assert shown(alice_api, media_id) is None


def test_an_owners_and_a_commenters_new_profile_shows_at_once(alice, bob):
    _, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api, "caption")
    assert bob_api.post(f"{media_path(media_id)}/comments", {"text": "hi"}).status_code in (
        200,
        201,
    )
    before = shown(bob_api, media_id)
    assert before is not None and before["user"]["full_name"] == "Alice"
    assert alice_api.post("/api/v1/users/self", {"full_name": "Alice Renamed"}).status_code in (
        200,
        201,
    )
    after = shown(bob_api, media_id)
    assert after is not None
    assert after["user"]["full_name"] == after["caption"]["from"]["full_name"] == "Alice Renamed"
    answer = alice_api.post("/api/v1/users/self", {"profile_picture": _file(png_bytes())})
    assert answer.status_code in (200, 201), answer.content
    picture = answer.json()["data"]["profile_picture"]
    assert picture != before["user"]["profile_picture"]
    assert shown(bob_api, media_id)["user"]["profile_picture"] == picture  # type: ignore[index]
    assert bob_api.post("/api/v1/users/self", {"full_name": "Bob Renamed"}).status_code in (
        200,
        201,
    )
    item = shown(alice_api, media_id)
    assert item is not None and item["comments"]["data"][0]["from"]["full_name"] == "Bob Renamed"
    bob = User.objects.get(username="bob")  # a username changed by staff in the admin
    bob.username = "robert"
    bob.save(update_fields=["username"])
    users.after_admin_change(bob)
    item = shown(alice_api, media_id)
    assert item is not None and item["comments"]["data"][0]["from"]["username"] == "robert"


def _file(data: bytes) -> io.BytesIO:
    made = io.BytesIO(data)
    made.name = "avatar.png"
    return made


def test_the_web_home_page_and_the_api_feed_agree(alice, bob, carol):
    alice_user, alice_api = alice
    bob_user, bob_api = bob
    _, carol_api = carol
    follow(bob_api, alice_user)
    follow(carol_api, alice_user)
    ids = [post_photo(alice_api, f"p{n}") for n in range(3)]
    run_tasks()
    bob_api.post(f"{media_path(ids[1])}/likes")
    carol_api.post(f"{media_path(ids[0])}/likes")
    assert carol_api.post(f"{media_path(ids[2])}/comments", {"text": "yes"}).status_code in (
        200,
        201,
    )
    web = Client()
    web.force_login(bob_user)
    for _ in range(2):
        api_items = bob_api.get("/api/v1/users/self/feed").json()["data"]
        page = web.get("/")
        assert page.status_code == 200
        assert page.context["items"] == api_items
        assert [m["id"] for m in api_items] == ids[::-1]
        assert [m["user_has_liked"] for m in api_items] == [False, True, False]
        assert page.content.decode().count('aria-pressed="true"') == 1


def test_the_admin_does_not_delete_accounts_it_deactivates_them(alice, bob):
    """Deactivating tells every cache (users.after_admin_change); a delete in the admin would
    tell none, and the cached user row would keep its photos showing for five minutes. The
    admin refuses it, on the single delete page and the list's bulk action alike."""
    alice_user, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api, "by alice")
    assert shown(bob_api, media_id) is not None
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    assert (
        admin.post(f"/admin/accounts/user/{alice_user.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin.post("/admin/accounts/user/", {
        "action": "delete_selected", "_selected_action": [alice_user.pk], "post": "yes"})  # fmt: skip
    assert User.objects.filter(pk=alice_user.pk).exists()
    assert shown(bob_api, media_id) is not None


def test_a_new_caption_shows_at_once(alice, bob):
    _, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api, "first #one")
    assert shown(bob_api, media_id)["caption"]["text"] == "first #one"  # type: ignore[index]
    edited = alice_api.post(media_path(media_id), {"caption": "second #two"})
    assert edited.status_code == 200, edited.content
    item = shown(bob_api, media_id)
    assert item is not None and item["caption"]["text"] == "second #two"
    assert item["tags"] == ["two"]


def test_the_memcached_runs_keep_fragments(backend, settings, alice, bob):
    """The attacks above meet kept fragments where memcached is the object cache (else they
    would prove nothing): a second read is spliced from what the first kept."""
    _, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api)
    fragments.forget()
    shown(bob_api, media_id)
    assert bool(fragments._kept) == bool(settings.FILMROLL.cache_servers)
    assert bool(settings.FILMROLL.cache_servers) == (backend == "memcached" or _cluster)


def test_a_row_read_before_a_write_is_not_kept_after_it(alice, bob):
    """A reader that loaded alice's row just before she made her account private stores it
    after her write's invalidation: that old row (and a fragment made from it) is never served;
    the very next read hides the photo."""
    alice_user, alice_api = alice
    _, bob_api = bob
    media_id = post_photo(alice_api, "soon private")
    assert shown(bob_api, media_id) is not None

    def load_then_write(keys: list[int]) -> dict[int, User]:
        old = User.objects.in_bulk(keys)
        users.update_profile(User.objects.get(pk=alice_user.pk), {"is_private": "true"})
        return old

    objcache.invalidate("user", alice_user.id)  # the slow reader misses, and loads the row
    with objcache.remembering():
        slow = objcache.fetch(objcache.Batch("user", [alice_user.id], load_then_write))[0]
    assert slow[alice_user.id].is_private is False  # what the slow reader saw, and stored
    assert User.objects.get(pk=alice_user.pk).is_private is True
    assert shown(bob_api, media_id) is None
    assert users.cached([alice_user.id])[alice_user.id].is_private is True


def test_like_and_save_flags_share_a_version_and_each_shows_at_once(backend, alice, bob):
    """A photo's preview is checked against the photo's version, and a viewer's like and save
    flags against one version of theirs (objcache.Batch.versioned_as): a warm read asks fewer
    keys, and a like, a save or a comment still shows on the very next read."""
    from django.core.cache import cache

    _, alice_api = alice
    bob_user, bob_api = bob
    media_id = post_photo(alice_api)
    path = media_path(media_id)

    def flags() -> tuple[bool, bool, int]:
        item = shown(bob_api, media_id)
        return item["user_has_liked"], item["user_has_saved"], item["comments"]["count"]

    assert flags() == (False, False, 0)
    asked: list[str] = []
    get_many = cache.get_many
    cache.get_many = lambda keys, *a, **k: get_many(asked.extend(keys) or keys, *a, **k)
    try:
        assert flags() == (False, False, 0)
    finally:
        del cache.get_many
    if backend == "memcached" or _cluster:
        assert f"v:media:{media_id}" in asked and f"v:marks:{bob_user.id}:{media_id}" in asked
        assert not [k for k in asked if k.startswith(("v:previews:", "v:liked:", "v:saved:"))]
    assert bob_api.post(f"{path}/saved").status_code in (200, 201)
    assert flags() == (False, True, 0)
    assert bob_api.post(f"{path}/likes").status_code in (200, 201)
    assert flags() == (True, True, 0)
    assert bob_api.post(f"{path}/saved", {"_method": "DELETE"}).status_code in (200, 201)
    assert flags() == (True, False, 0)
    assert bob_api.post(f"{path}/comments", {"text": "nice"}).status_code in (200, 201)
    assert flags() == (True, False, 1)
