"""`filmroll check --data`: each defect made for real in the stores, reported, repaired by
`--repair`, and a second check finds nothing."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from filmroll.accounts import counts
from filmroll.feeds import store as feeds
from filmroll.files import storage
from filmroll.graph import edges, relationships
from filmroll.media import cache, likes, people, photos
from filmroll.ops import audit
from filmroll.sharding import db, ids
from tests.support.images import empty_store, jpeg_bytes, stored_keys, upload, upload_album
from tests.support.install import reset_install
from tests.support.personas import make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


@pytest.fixture(autouse=True)
def _fresh_install():
    """The audit reads every shard row: start from empty shards and the shard map in place
    (a committed test's flush takes the map, and leaves its shard rows), and an empty photo
    store (files earlier tests left in the run's bucket are orphans to the audit)."""
    reset_install()
    empty_store()


def check(*args: str) -> tuple[bool, str]:
    """Run `filmroll check --data ARGS`: whether it passed, and what it printed."""
    out = io.StringIO()
    try:
        call_command("check", "--data", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def found(output: str, name: str) -> int:
    """The number the table printed for one kind of problem (the last table, after a repair)."""
    lines = [line for line in output.splitlines() if line.strip().endswith(f"  {name}")]
    return int(lines[-1].split()[0])


def a_photo(api) -> int:
    response = upload(api, jpeg_bytes())
    assert response.status_code == 201, response.content
    run_tasks()
    return int(response.json()["data"]["id"])


def test_a_clean_install_passes(alice, bob):
    relationships.follow(alice[0], bob[0])
    run_tasks()
    passed, output = check()
    assert passed, output
    assert "the data is consistent" in output


def test_a_half_made_follow_is_found_and_its_missing_half_added(alice, bob):
    (alice_user, _), (bob_user, _) = alice, bob
    relationships.follow(alice_user, bob_user)
    run_tasks()
    # the follower's row stays, the followed side's goes: as a worker killed between the two
    db.execute(
        ids.shard_of(bob_user.id),
        "DELETE FROM {followers} WHERE user_id = %s AND follower_id = %s",
        [bob_user.id, alice_user.id],
    )
    counts.bump(bob_user.id, "followed_by", -1)
    passed, output = check()
    assert not passed
    assert found(output, "half-made follows") == 1
    assert f"follow {alice_user.id} -> {bob_user.id}: no followers row" in output

    passed, output = check("--repair")
    assert passed, output
    assert found(output, "half-made follows") == 0
    assert edges.page("followers", bob_user.id, None, 10) == [alice_user.id]
    assert counts.for_users([bob_user.id])[bob_user.id]["followed_by"] == 1
    assert check()[0]


def _drop_following_row(user_id: int, target_id: int) -> None:
    """Half a follow: only its `followers` row stays."""
    db.execute(
        ids.shard_of(user_id),
        "DELETE FROM {following} WHERE user_id = %s AND target_id = %s",
        [user_id, target_id],
    )


def test_a_follow_with_only_its_followers_row_gets_the_other(alice, bob):
    (alice_user, _), (bob_user, _) = alice, bob
    relationships.follow(alice_user, bob_user)
    _drop_following_row(alice_user.id, bob_user.id)
    passed, output = check()
    assert not passed
    assert f"follow {alice_user.id} -> {bob_user.id}: no following row" in output
    # alice's count still says 1 while her rows say 0: reported too
    assert found(output, "user counts off") == 1
    assert check("--repair")[0]
    assert edges.follows(alice_user.id, bob_user.id)
    assert counts.for_users([alice_user.id])[alice_user.id]["follows"] == 1


def test_half_made_likes_either_way(alice, bob, carol):
    (alice_user, alice_api), (bob_user, _), (carol_user, _) = alice, bob, carol
    media_id = a_photo(alice_api)
    likes.like(bob_user, media_id)
    likes.like(alice_user, media_id)
    db.execute(
        ids.shard_of(bob_user.id),
        "DELETE FROM {user_likes} WHERE user_id = %s",
        [bob_user.id],
    )
    db.execute(
        ids.shard_of(media_id),
        "DELETE FROM {likes} WHERE media_id = %s AND user_id = %s",
        [media_id, alice_user.id],
    )
    passed, output = check()
    assert not passed
    assert found(output, "half-made likes") == 2
    assert f"like {bob_user.id} -> {media_id}: no user_likes row" in output
    assert f"like {alice_user.id} -> {media_id}: no likes row" in output
    assert found(output, "photo counts off") == 1  # 2 counted, 1 row

    assert check("--repair")[0]
    assert likes.liked_by_viewer(bob_user.id, [media_id]) == {media_id}
    assert {u.id for u in likes.likers(carol_user, media_id)} == {alice_user.id, bob_user.id}
    assert cache.get_many([media_id])[media_id].likes == 2


def test_a_half_made_block(alice, dan):
    (alice_user, _), (dan_user, _) = alice, dan  # alice has blocked dan
    db.execute(
        ids.shard_of(dan_user.id),
        "DELETE FROM {blocked_by} WHERE user_id = %s",
        [dan_user.id],
    )
    passed, output = check()
    assert not passed and found(output, "half-made blocks") == 1
    assert check("--repair")[0]
    assert edges.blocked_between(dan_user.id, [alice_user.id]) == {alice_user.id}


def _photos_of(user_id: int) -> list[int]:
    rows = db.fetchall(
        ids.shard_of(user_id), "SELECT media_id FROM {photos_of} WHERE user_id = %s", [user_id]
    )
    return [media_id for (media_id,) in rows]


def test_half_made_tags_either_way_are_settled_to_the_photos_people(alice, bob):
    (alice_user, alice_api), (bob_user, _) = alice, bob
    cy, _ = make_user("cy")
    media_id = a_photo(alice_api)
    people.tag(alice_user, media_id, [(bob_user.id, 0.3, 0.6)])
    run_tasks()
    assert _photos_of(bob_user.id) == [media_id] and check()[0]
    # bob's "Photos of you" row goes, as a worker killed before it settled; and cy gets a row
    # for a photo that does not tag her, as an untag that never settled
    db.execute(
        ids.shard_of(bob_user.id), "DELETE FROM {photos_of} WHERE user_id = %s", [bob_user.id]
    )
    db.execute(
        ids.shard_of(cy.id),
        "INSERT INTO {photos_of} (user_id, media_id, owner_id, hidden, created_ms)"
        " VALUES (%s, %s, %s, 0, 1)",
        [cy.id, media_id, alice_user.id],
    )
    passed, output = check()
    assert not passed
    assert found(output, "half-made tags") == 2
    assert f"tag of {bob_user.id} in {media_id}: no photos_of row" in output
    assert f"tag of {cy.id} in {media_id}: a photos_of row, no tag in the photo" in output

    passed, output = check("--repair")
    assert passed, output
    assert found(output, "half-made tags") == 0
    assert _photos_of(bob_user.id) == [media_id] and _photos_of(cy.id) == []
    page, _ = people.tab_page(bob_user.id, bob_user, None, 10)
    assert [m.id for m in page] == [media_id]
    # the photo's people, the truth, are as the owner left them
    assert [t[0] for t in photos.visible(alice_user.id, media_id)[0].people] == [bob_user.id]
    assert check()[0]


def test_counts_that_differ_from_their_rows_are_recounted(alice, bob):
    (alice_user, alice_api), (bob_user, _) = alice, bob
    media_id = a_photo(alice_api)
    relationships.follow(bob_user, alice_user)
    likes.like(bob_user, media_id)
    counts.bump(alice_user.id, "media", 4)
    counts.bump(bob_user.id, "followed_by", 2)
    db.execute(
        ids.shard_of(media_id),
        "UPDATE {media} SET likes = 7, comments = 3 WHERE id = %s",
        [media_id],
    )
    cache.invalidate(media_id)
    passed, output = check()
    assert not passed
    assert found(output, "user counts off") == 2
    assert found(output, "photo counts off") == 1
    assert f"photo {media_id}: likes, comments (7, 3), rows (1, 0)" in output

    assert check("--repair")[0]
    assert counts.for_users([alice_user.id])[alice_user.id] == {
        "media": 1,
        "follows": 0,
        "followed_by": 1,
    }
    assert counts.for_users([bob_user.id])[bob_user.id]["followed_by"] == 0
    media = cache.get_many([media_id])[media_id]
    assert (media.likes, media.comments) == (1, 0)


def test_cached_counts_that_differ_from_their_rows(alice, bob):
    (_, alice_api), (bob_user, _) = alice, bob
    media_id = a_photo(alice_api)
    assert cache.get_many([media_id])[media_id].likes == 0  # cached, where there is a cache
    # a like whose invalidation never happened (the process died after the commit)
    db.execute(
        ids.shard_of(media_id),
        "INSERT INTO {likes} (media_id, user_id, created_ms) VALUES (%s, %s, 1)",
        [media_id, bob_user.id],
    )
    db.execute(
        ids.shard_of(bob_user.id),
        "INSERT INTO {user_likes} (user_id, media_id, created_ms) VALUES (%s, %s, 1)",
        [bob_user.id, media_id],
    )
    db.execute(ids.shard_of(media_id), "UPDATE {media} SET likes = 1 WHERE id = %s", [media_id])
    passed, output = check()
    if settings.FILMROLL.cache_servers:
        assert not passed and found(output, "stale cached counts") == 1
        assert cache.get_many([media_id])[media_id].likes == 0
        assert check("--repair")[0]
    else:  # the embedded default caches no rows: there is nothing to go stale
        assert passed and found(output, "stale cached counts") == 0
    assert cache.get_many([media_id])[media_id].likes == 1
    assert check()[0]


def test_duplicate_feed_entries(alice, bob):
    (alice_user, alice_api), (bob_user, bob_api) = alice, bob
    relationships.follow(bob_user, alice_user)
    bob_api.get("/api/v1/users/self/feed")  # builds bob's feed
    media_id = a_photo(alice_api)
    store = feeds.store()
    assert store.read(bob_user.id) == [media_id]
    if isinstance(store, feeds.RedisStore):
        client = store.clients[store.node(bob_user.id)]
        client.append(store.key(bob_user.id), feeds.pack([media_id]))
        assert store.read(bob_user.id) == [media_id, media_id]
        passed, output = check()
        assert not passed and found(output, "duplicate feed entries") == 1
        assert check("--repair")[0]
    else:  # the SQL store's key makes a duplicate impossible
        with pytest.raises(IntegrityError):
            db.execute(
                ids.shard_of(bob_user.id),
                "INSERT INTO {feeds} (user_id, media_id) VALUES (%s, %s)",
                [bob_user.id, media_id],
            )
    assert store.read(bob_user.id) == [media_id]
    assert check()[0]


def test_orphan_files_are_deleted_once_old_enough(alice):
    _, alice_api = alice
    a_photo(alice_api)
    assert upload_album(alice_api, [jpeg_bytes((400, 300))] * 3).status_code == 201
    photo_files = stored_keys()
    assert len(photo_files) == 4 + 3 * 4  # an album's photos are named by its row too
    orphan = storage.save(jpeg_bytes(), "jpg")  # as an upload whose row never came
    # young: may be an upload in flight, so reported apart and kept
    passed, output = check("--repair")
    assert passed, output
    assert found(output, "recent orphan files") == 1
    assert storage.exists(orphan)

    passed, output = check("--orphan-age", "0")
    assert not passed and found(output, "orphan files") == 1
    assert f"orphan file {orphan}" in output
    passed, output = check("--repair", "--orphan-age", "0")
    assert passed, output
    assert not storage.exists(orphan)
    assert stored_keys() == photo_files  # the photo's own files stay


def test_an_interrupted_local_write_leaves_a_partial_file_that_is_an_orphan(alice):
    report = audit.check()
    assert report.orphans == []
    if storage.backend().__class__ is storage.Local:
        partial = settings.MEDIA_ROOT / "ab" / ("ab" + "0" * 30 + ".jpg.partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(b"half a photo")
        report = audit.check(orphan_age=0)
        assert [key for key, _ in report.orphans] == [str(partial.relative_to(settings.MEDIA_ROOT))]
        audit.repair(report)
        assert not partial.exists()
    assert audit.check(orphan_age=0).problems() == 0


def test_repair_needs_data():
    with pytest.raises(CommandError, match="--repair goes with --data"):
        call_command("check", "--repair", stdout=io.StringIO())


def test_repair_leaves_an_edge_that_a_write_in_flight_finished_since_the_check(alice, bob):
    (alice_user, _), (bob_user, _) = alice, bob
    relationships.follow(alice_user, bob_user)
    # an unfollow between its two deletes when the check reads...
    _drop_following_row(alice_user.id, bob_user.id)
    report = audit.check()
    assert report.half_edges["follow"] == [(alice_user.id, bob_user.id, "following")]
    # ...and done before the repair: nothing is left to add back
    db.execute(
        ids.shard_of(bob_user.id),
        "DELETE FROM {followers} WHERE user_id = %s AND follower_id = %s",
        [bob_user.id, alice_user.id],
    )
    audit.repair(report)
    assert not edges.follows(alice_user.id, bob_user.id)
    assert edges.page("followers", bob_user.id, None, 10) == []
