"""Where photo files live: local disk (the embedded default) or any S3-compatible service.

Keys are random and never reused (a new file never overwrites an old key), so a CDN may cache
every file forever. Only bytes filmroll itself encoded are ever stored.

A write that fails leaves nothing behind (no `.partial`, no half a photo's sizes) and raises
StorageUnavailable, which people see as 503 with Retry-After: the same upload works once the
store is back. Files that no row names (a crash between a file and its row) are removed by the
sweeper a day later (media/orphans.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.http import HttpRequest

from filmroll.errors import StorageUnavailable
from filmroll.once import once

log = logging.getLogger(__name__)

KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
CACHE_FOREVER = "public, max-age=31536000, immutable"


def new_key(extension: str) -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.{extension}"


def check_key(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Backend(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def base_url(self, request: HttpRequest | None) -> str: ...
    def keys(self, older_than: float) -> Iterator[str]: ...


class Local:
    """Files under MEDIA_ROOT, served by the app at /media/."""

    def path(self, key: str) -> Path:
        return Path(settings.MEDIA_ROOT) / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:  # written, synced, then renamed: durable and whole
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BaseException as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                log.error("cannot store %s in %s: %s", key, settings.MEDIA_ROOT, error)
                raise StorageUnavailable() from error
            raise

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def base_url(self, request: HttpRequest | None) -> str:
        return request.build_absolute_uri("/media") if request is not None else "/media"

    def keys(self, older_than: float) -> Iterator[str]:
        """Every stored key whose file is older than `older_than` seconds. Leftover `.partial`
        files that old (a process killed mid-write) are removed on the way."""
        root = Path(settings.MEDIA_ROOT)
        cutoff = time.time() - older_than
        folders = sorted(root.glob("[0-9a-f][0-9a-f]")) if root.is_dir() else []
        for folder in (f for f in folders if f.is_dir()):
            for file in folder.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if file.stat().st_mtime >= cutoff:
                        continue
                    key = f"{folder.name}/{file.name}"
                    if file.name.endswith(".partial"):
                        file.unlink()
                    elif KEY.match(key):
                        yield key


class S3:
    """A bucket of any S3-compatible service, through boto3."""

    def __init__(self) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        config = settings.FILMROLL
        self.bucket = config.s3_bucket
        self.endpoint = config.s3_endpoint_url
        self.client = boto3.client(
            "s3",
            endpoint_url=config.s3_endpoint_url or None,
            region_name=config.s3_region,
            aws_access_key_id=config.s3_access_key_id or None,
            aws_secret_access_key=config.s3_secret_access_key or None,
            config=BotoConfig(
                retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:  # S3 stores an object whole or not at all: nothing to clean up
            self.client.put_object(
                Bucket=self.bucket,
                Key=check_key(key),
                Body=data,
                ContentType=content_type,
                CacheControl=CACHE_FOREVER,
            )
        except (BotoCoreError, ClientError) as error:
            log.error("cannot store %s in bucket %s: %s", key, self.bucket, error)
            raise StorageUnavailable() from error

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise

    def keys(self, older_than: float) -> Iterator[str]:
        cutoff = time.time() - older_than
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                if item["LastModified"].timestamp() < cutoff and KEY.match(item["Key"]):
                    yield item["Key"]

    def base_url(self, request: HttpRequest | None) -> str:
        if self.endpoint:
            return f"{self.endpoint}/{self.bucket}"
        return f"https://{self.bucket}.s3.{settings.FILMROLL.s3_region}.amazonaws.com"


@once
def backend() -> Backend:
    return S3() if settings.FILMROLL.storage == "s3" else Local()


def save(data: bytes, extension: str) -> str:
    """Store bytes under a fresh key; the key."""
    key = new_key(extension)
    backend().put(key, data, CONTENT_TYPES[extension])
    return key


def put(key: str, data: bytes) -> None:
    """Store bytes under a key they had before (a restore); new files take save()'s keys."""
    backend().put(key, data, CONTENT_TYPES[check_key(key).rsplit(".", 1)[1]])


def discard(keys: Iterable[str]) -> None:
    """Remove files a failed write stored, as far as the store lets us now; what stays is the
    sweeper's (no row names it)."""
    for key in keys:
        try:
            backend().delete(key)
        except Exception:
            log.warning("could not remove %s after a failed write; the sweeper will", key)


def keys(older_than: float = 0) -> Iterator[str]:
    """Every stored key, of files older than `older_than` seconds."""
    return backend().keys(older_than)


def read(key: str) -> bytes:
    return backend().get(key)


def delete(key: str) -> None:
    backend().delete(key)


def exists(key: str) -> bool:
    return backend().exists(key)


def base_url(request: HttpRequest | None = None) -> str:
    """Where stored files are served: FILMROLL_MEDIA_URL (a CDN) when set, else where the
    backend serves them (this site's /media/ for local disk)."""
    return settings.FILMROLL.media_url or backend().base_url(request)


def url(key: str, request: HttpRequest | None = None) -> str:
    """The absolute URL of one stored file."""
    return f"{base_url(request)}/{check_key(key)}"


# Private files (a "Download your data" archive): stored beside the photos under keys of their
# own shape, which the photo routes (media/views.serve: check_key) refuse and the orphan sweeper
# never lists, so only the view that checks their owner hands them out.
PRIVATE_KEY = re.compile(r"^private/[0-9a-f]{32}\.zip$")


def check_private_key(key: str) -> str:
    if not PRIVATE_KEY.match(key):
        raise ValueError(f"not a private storage key: {key!r}")
    return key


def private_path(key: str) -> Path:
    """Where a private file lies on local disk (the embedded default)."""
    return Path(settings.MEDIA_ROOT) / check_private_key(key)


def private_folder() -> Path:
    """Where archives are written before they are stored (on local disk, beside where they go,
    so that storing one is a rename)."""
    folder = Path(settings.MEDIA_ROOT) / "private"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_private(source: Path) -> str:
    """Store a ZIP archive (a file written in `private_folder()`, which this takes) under a fresh,
    unguessable private key; the key. Read from disk as it goes: an archive may be gigabytes."""
    key = f"private/{secrets.token_hex(16)}.zip"
    store = backend()
    try:
        if isinstance(store, S3):
            store.client.upload_file(
                str(source), store.bucket, key,
                ExtraArgs={"ContentType": "application/zip", "CacheControl": "private, no-store"},
            )  # fmt: skip
            source.unlink(missing_ok=True)
        else:
            os.replace(source, private_path(key))
    except Exception as error:
        log.error("cannot store the archive %s: %s", key, error)
        source.unlink(missing_ok=True)
        raise StorageUnavailable() from error
    return key


def delete_private(key: str) -> None:
    store = backend()
    if isinstance(store, S3):
        store.client.delete_object(Bucket=store.bucket, Key=check_private_key(key))
    else:
        private_path(key).unlink(missing_ok=True)


def exists_private(key: str) -> bool:
    store = backend()
    if isinstance(store, S3):
        from botocore.exceptions import ClientError

        try:
            store.client.head_object(Bucket=store.bucket, Key=check_private_key(key))
            return True
        except ClientError:
            return False
    return private_path(key).is_file()


def read_private(key: str) -> bytes:
    store = backend()
    if isinstance(store, S3):
        body = store.client.get_object(Bucket=store.bucket, Key=check_private_key(key))["Body"]
        return body.read()
    return private_path(key).read_bytes()


def signed_url(key: str, seconds: int, filename: str) -> str | None:
    """A short-lived signed address of a private file in S3 (None for local disk, where the app
    serves it itself)."""
    store = backend()
    if not isinstance(store, S3):
        return None
    return store.client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": store.bucket,
            "Key": check_private_key(key),
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=seconds,
    )
