"""Both storage backends through the same interface: local disk, and S3 against a real S3 API
server on loopback (moto's), through the boto3 code path production uses."""

import dataclasses
import socket

import pytest

from filmroll.files import storage
from tests.support.images import jpeg_bytes, upload
from tests.support.servers import make_bucket, s3_server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(settings):
    with s3_server(_free_port()) as url:
        make_bucket(url, "photos")
        settings.FILMROLL = dataclasses.replace(
            settings.FILMROLL,
            storage="s3",
            s3_bucket="photos",
            s3_endpoint_url=url,
            s3_access_key_id="test",
            s3_secret_access_key="test",
        )
        storage.backend.cache_clear()
        yield url
    storage.backend.cache_clear()


@pytest.fixture
def local(settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, storage="local")
    storage.backend.cache_clear()
    yield
    storage.backend.cache_clear()


def _round_trip() -> str:
    data = b"\xff\xd8\xff" + b"x" * 100
    key = storage.save(data, "jpg")
    assert storage.check_key(key) == key
    assert storage.read(key) == data
    assert storage.exists(key)
    second = storage.save(data, "jpg")
    assert second != key  # a new file never takes an old key
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting twice is fine
    return second


def test_local_storage(local):
    key = _round_trip()
    assert storage.url(key).endswith(f"/media/{key}")


def test_s3_storage(s3):
    key = _round_trip()
    assert storage.url(key) == f"{s3}/photos/{key}"
    head = storage.backend().client.head_object(Bucket="photos", Key=key)
    assert head["ContentType"] == "image/jpeg"
    assert "immutable" in head["CacheControl"]


def test_an_upload_through_the_api_lands_in_s3(s3, alice):
    _, api = alice
    media = upload(api, jpeg_bytes()).json()["data"]
    for size in media["images"].values():
        assert size["url"].startswith(f"{s3}/photos/")
        key = size["url"].removeprefix(f"{s3}/photos/")
        assert storage.exists(key)


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "ab/cd.jpg", "AB/" + "0" * 32 + ".jpg", "ab/" + "0" * 32 + ".html"]
)
def test_keys_that_filmroll_did_not_make_are_refused(key):
    with pytest.raises(ValueError):
        storage.check_key(key)
