"""The photo store failing for real: a full disk and a read-only one (a small tmpfs mounted over
the photo folder), and S3 gone. An upload answers 503 APIStorageError with Retry-After, leaves
no file behind (no `.partial`, none of the sizes stored before the failure) and no row, and the
same upload works the moment the store is back. Files no row names go after a day."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from filmroll.accounts import counts
from filmroll.files import storage
from filmroll.media import orphans
from filmroll.tasks import registry
from tests.support.images import jpeg_bytes, stored_keys, upload, upload_album
from tests.support.servers import free_port, make_bucket, s3_server


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def local(settings) -> Iterator[None]:
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, storage="local")
    storage.backend.cache_clear()
    yield
    storage.backend.cache_clear()


@pytest.fixture
def small_disk(local) -> Iterator[Path]:
    """A 96 KiB tmpfs as the photo folder: room for a thumbnail, not for a whole photo."""
    root = Path(django_settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(root)], check=True)
    try:
        yield root
    finally:
        subprocess.run(["umount", str(root)], check=True)


def remount(root: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(root)], check=True)


def big_photo() -> bytes:
    """Noise: its larger sizes stay large after encoding (a 96 KiB disk holds only the small)."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(out, "JPEG")
    return out.getvalue()


def assert_storage_error(response) -> None:
    assert response.status_code == 503, response.content
    meta = response.json()["meta"]
    assert meta["code"] == 503 and meta["error_type"] == "APIStorageError"
    assert "try again" in meta["error_message"]
    assert int(response["Retry-After"]) > 0


def test_a_full_disk_answers_503_leaves_no_file_and_recovers_at_once(small_disk, alice):
    user, api = alice
    for _ in range(3):
        assert_storage_error(upload(api, big_photo()))
    # the thumbnail fitted and the next size did not: neither it nor a .partial stayed
    assert files_under(small_disk) == []
    assert counts.for_users([user.id])[user.id]["media"] == 0
    assert api.get("/api/v1/users/self/media/recent").json()["data"] == []

    remount(small_disk, "size=64m")  # room again: the very next upload works
    reply = upload(api, big_photo())
    assert reply.status_code == 201, reply.content
    assert len(files_under(small_disk)) == 4  # each size, nothing else
    assert counts.for_users([user.id])[user.id]["media"] == 1


def test_a_full_disk_takes_back_the_album_photos_stored_before_the_one_that_did_not_fit(
    small_disk, alice
):
    user, api = alice
    small = jpeg_bytes((200, 150))
    assert_storage_error(upload_album(api, [small, small, big_photo()]))
    # the first two photos' sizes were stored, the third's did not fit: none stays
    assert files_under(small_disk) == []
    assert counts.for_users([user.id])[user.id]["media"] == 0
    remount(small_disk, "size=64m")
    assert upload_album(api, [small, small, big_photo()]).status_code == 201
    assert len(files_under(small_disk)) == 3 * 4


def test_a_read_only_disk_answers_503_and_recovers(small_disk, alice):
    user, api = alice
    remount(small_disk, "ro,size=64m")
    assert_storage_error(upload(api, jpeg_bytes()))
    assert_storage_error(
        api.post("/api/v1/users/self", {"profile_picture": _named(jpeg_bytes(), "me.jpg")})
    )
    user.refresh_from_db()
    assert user.avatar_key == ""
    remount(small_disk, "rw")
    assert upload(api, jpeg_bytes()).status_code == 201
    assert len(files_under(small_disk)) == 4


def _named(data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_the_upload_page_says_to_try_again_when_the_disk_is_full(small_disk, alice):
    user, _ = alice
    browser = Client()
    browser.force_login(user)
    page = browser.post("/upload/", {"image": _named(big_photo(), "p.jpg"), "caption": "x"})
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert "try again in a minute" in page.content.decode()
    assert "<form" in page.content.decode()  # the upload page itself, not an error page
    assert files_under(small_disk) == []


@pytest.fixture
def s3(settings) -> Iterator[str]:
    with s3_server(free_port()) as url:
        make_bucket(url, "photos")
        settings.FILMROLL = dataclasses.replace(
            settings.FILMROLL, storage="s3", s3_bucket="photos", s3_endpoint_url=url,
            s3_access_key_id="test", s3_secret_access_key="test",
        )  # fmt: skip
        storage.backend.cache_clear()
        yield url
    storage.backend.cache_clear()


@contextlib.contextmanager
def s3_unreachable(settings) -> Iterator[None]:
    """The photo store configured as an S3 endpoint where nothing listens."""
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, storage="s3", s3_bucket="photos",
        s3_endpoint_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        s3_access_key_id="test", s3_secret_access_key="test",
    )  # fmt: skip
    storage.backend.cache_clear()
    try:
        yield
    finally:
        storage.backend.cache_clear()


def test_s3_unreachable_answers_503(settings, alice):
    _, api = alice
    with s3_unreachable(settings):
        assert_storage_error(upload(api, jpeg_bytes()))


def _age(root: Path, key: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(root / key, (then, then))


def test_the_sweeper_removes_day_old_files_no_row_names(local, alice):
    user, api = alice
    root = Path(django_settings.MEDIA_ROOT)
    photo = upload(api, jpeg_bytes()).json()["data"]
    api.post("/api/v1/users/self", {"profile_picture": _named(jpeg_bytes(), "me.jpg")})
    album = upload_album(api, [jpeg_bytes((400, 300))] * 2)  # every photo of it is named
    assert album.status_code == 201, album.content
    user.refresh_from_db()
    named = stored_keys()
    assert len(named) == 5 + 2 * 4 and user.avatar_key in named
    old_orphan = storage.save(b"\xff\xd8\xff" + b"x" * 50, "jpg")
    new_orphan = storage.save(b"\xff\xd8\xff" + b"y" * 50, "jpg")
    partial = root / (old_orphan[:2]) / ("0" * 32 + ".jpg.partial")
    partial.write_bytes(b"half")
    for key in [*named, old_orphan, "/".join(partial.parts[-2:])]:
        _age(root, key, orphans.DAY + 60)

    assert orphans.sweep() == 1
    assert stored_keys() == named | {new_orphan}  # the young orphan may be an upload in flight
    assert not partial.exists()
    assert all(storage.exists(key) for key in named)
    assert api.get(f"/api/v1/media/{photo['id']}").status_code == 200
    # it runs by itself: a periodic task of the registry (Celery beat, or the embedded worker)
    assert "media.sweep_orphans" in {t.name for t in registry.periodic()}


def test_the_sweeper_works_on_s3_too(s3, alice):
    _, api = alice
    upload(api, jpeg_bytes())
    named = stored_keys()
    orphan = storage.save(b"\xff\xd8\xff" + b"z" * 50, "jpg")
    time.sleep(1.1)  # S3 times objects to the second
    assert orphans.sweep(older_than=0) == 1
    assert stored_keys() == named and orphan not in stored_keys()
