"""Download your data: the archive holds every item, its link answers only its owner, one a day,
and it is removed when it expires."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from filmroll.files import storage
from filmroll.leaving import export
from filmroll.leaving.models import Export
from filmroll.leaving.tasks import expire_exports
from tests.leaving import world
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def fetch(client: Client, url: str, token: str | None = None):
    path = url.removeprefix("http://testserver")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, **headers)


def body_of(answer) -> bytes:
    """The archive: served by the app (local disk), or from S3 by the signed address the app
    redirected to (a minute's signature, so fetched at once)."""
    if answer.status_code == 302:
        assert "Signature" in answer["Location"] or "X-Amz-Signature" in answer["Location"]
        with urllib.request.urlopen(answer["Location"], timeout=30) as found:
            return found.read()
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def test_the_archive_holds_everything_and_answers_only_its_owner(mailoutbox):
    w = world.build()
    assert w.ana_api.get("/api/v1/users/self/export").json()["data"] == {"state": "none"}
    asked = w.ana_api.post("/api/v1/users/self/export")
    assert asked.status_code == 201, asked.content
    assert asked.json()["data"]["state"] == "building"
    run_tasks()
    status = w.ana_api.get("/api/v1/users/self/export").json()["data"]
    assert status["state"] == "ready" and status["url"].endswith("/download")
    assert [m.to for m in mailoutbox] == [["ana@example.com"]]
    assert status["url"] in mailoutbox[0].body

    # the owner: with the API token, or signed in on the web
    answer = fetch(Client(), status["url"], w.ana_api.token)
    assert "private" in answer["Cache-Control"]
    data = body_of(answer)
    browser = Client()
    browser.force_login(w.ana)
    assert body_of(fetch(browser, status["url"])) == data
    # nobody else: another person (session or token) and the logged-out
    other = Client()
    other.force_login(w.bo)
    assert fetch(other, status["url"]).status_code == 404
    assert fetch(Client(), status["url"], w.bo_api.token).status_code == 404
    assert fetch(Client(), status["url"]).status_code == 403
    assert fetch(Client(), status["url"], "not a token").status_code == 403
    # and the stored file is not reachable as a photo
    found = Export.objects.get(user_id=w.ana.id)
    assert Client().get(f"/media/{found.key}").status_code == 404

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())

    def read(name: str):
        return json.loads(archive.read(name))

    profile = read("profile.json")
    assert profile["username"] == "ana" and profile["full_name"] == "Ana"
    assert profile["email"] == "ana@example.com"
    assert profile["counts"] == {"media": 2, "follows": 1, "followed_by": 2}
    assert "profile_picture.jpg" in names
    listed = {int(p["id"]): p for p in read("photos.json")}
    assert set(listed) == set(w.media)
    first = listed[w.media[0]]
    assert first["caption"] == "pier at dusk #leavingtest"
    assert first["alt_text"] == "A wooden pier in orange light"
    assert first["location"] == {"latitude": 52.52, "longitude": 13.405}
    assert first["created_time"].startswith(str(timezone.now().year))
    assert [(c["from"], c["text"]) for c in first["comments"]] == [
        ("bo", "lovely, @cy should see this"), ("ana", "#leavingtest again"),
    ]  # fmt: skip
    assert first["likes"] == 2
    album = listed[w.media[1]]["album"]  # the album: every photo, the cover first
    assert [(p["file"], p["alt_text"]) for p in album] == [
        (f"photos/{w.media[1]}.jpg", "photo 1"), (f"photos/{w.media[1]}_2.jpg", "photo 2"),
        (f"photos/{w.media[1]}_3.jpg", "photo 3"),
    ]  # fmt: skip
    from filmroll.media import photos as album_photos

    kept = album_photos.visible(w.ana.id, w.media[1])[0].photos
    for photo, item in zip(kept, album, strict=True):
        assert archive.read(item["file"]) == storage.read(photo["images"]["high_resolution"]["key"])
    for media_id, item in listed.items():
        stored = archive.read(item["file"])
        assert stored[:2] == b"\xff\xd8"  # a JPEG
        # the largest size stored, byte for byte
        from filmroll.media import photos

        images = photos.visible(w.ana.id, media_id)[0].images
        assert stored == storage.read(images["high_resolution" if "high_resolution" in images
                                             else "standard_resolution"]["key"])  # fmt: skip
    assert sorted(int(x["media_id"]) for x in read("likes.json")) == sorted(
        [w.media[0], w.bo_photo]
    )
    assert sorted(c["text"] for c in read("comments.json")) == [
        "#leavingtest again",
        "what a ferry @cy",
    ]
    assert [p["username"] for p in read("followers.json")] == sorted(
        ["bo", "cy"], key=lambda n: {"bo": w.bo.id, "cy": w.cy.id}[n]
    )
    assert [p["username"] for p in read("following.json")] == ["bo"]
    # every own-shard table the packages declare, generically
    assert {"tables/media.json", "tables/following.json", "tables/blocks.json",
            "tables/activity.json"} <= names  # fmt: skip
    assert len(read("tables/blocks.json")) == 1


def test_one_archive_a_day_then_429():
    w = world.build()
    assert w.ana_api.post("/api/v1/users/self/export").status_code == 201
    again = w.ana_api.post("/api/v1/users/self/export")
    assert again.status_code == 429
    assert again.json()["meta"]["error_type"] == "OAuthRateLimitException"
    assert "one archive a day" in again.json()["meta"]["error_message"]
    browser = Client()
    browser.force_login(w.ana)
    page = browser.post("/settings/data/")
    assert page.status_code == 429 and b"one archive a day" in page.content
    assert Export.objects.filter(user_id=w.ana.id).count() == 1
    # a day later, another
    Export.objects.filter(user_id=w.ana.id).update(
        requested=timezone.now() - export.ONCE_EVERY - timezone.timedelta(seconds=1)
    )
    assert browser.post("/settings/data/").status_code == 302
    assert Export.objects.filter(user_id=w.ana.id).count() == 2


def test_the_archive_is_removed_when_it_expires():
    w = world.build()
    browser = Client()
    browser.force_login(w.ana)
    assert b"Download your data" in browser.get("/settings/data/").content
    browser.post("/settings/data/")
    run_tasks()
    found = Export.objects.get(user_id=w.ana.id)
    assert storage.exists_private(found.key)
    page = browser.get("/settings/data/").content.decode()
    assert f"/settings/data/{found.id}/download" in page
    url = f"/settings/data/{found.id}/download"
    assert browser.get(url).status_code in (200, 302)  # served, or signed and redirected
    Export.objects.filter(id=found.id).update(expires=timezone.now())
    assert browser.get(url).status_code == 404  # expired: the link stops at once
    expire_exports()
    assert not storage.exists_private(found.key)
    assert not Export.objects.filter(id=found.id).exists()


def test_a_deleted_account_takes_its_archives_with_it():
    w = world.build()
    w.ana_api.post("/api/v1/users/self/export")
    run_tasks()
    key = Export.objects.get(user_id=w.ana.id).key
    from filmroll.accounts import leaving
    from filmroll.leaving import purge
    from tests.support.personas import PASSWORD

    leaving.request_deletion(w.ana, PASSWORD, None, "127.0.0.1")
    world.expire_grace(w.ana)
    assert purge.purge(w.ana.id)
    assert not storage.exists_private(key) and not Export.objects.exists()


def test_the_archive_tells_of_no_photo_its_owner_may_not_see():
    """A private account's photo that tags ana, who does not follow it, is not in her archive,
    as it is not on her "Photos of you" tab; a public one's tag of her is."""
    from filmroll.media import people, photos
    from tests.support.images import png_bytes

    w = world.build()
    hidden = photos.post(w.carol, png_bytes())  # carol is private; ana only asked to follow
    people.tag(w.carol, hidden, [(w.ana.id, 0.5, 0.5)])
    run_tasks()
    packed = io.BytesIO()
    export.archive(w.ana, packed)
    with zipfile.ZipFile(packed) as archive:
        tagged = json.loads(archive.read("tables/photos_of.json"))
    assert [int(row[1]) for row in tagged] == [w.bo_photo]
    assert hidden not in [int(row[1]) for row in tagged]
