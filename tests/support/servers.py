"""Servers on loopback for the tests: filmroll itself over HTTPS (for clients that speak only
that), S3, and small HTTP servers standing in for remote services (callbacks, PagerDuty,
Sentry, push services, other networks): each request goes to a function of the test's."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import connections

# (method, path, headers, body) -> (status, body, headers) or None to drop the connection unanswered
Handle = Callable[[str, str, Message, bytes], "tuple[int, bytes, dict[str, str]] | None"]


class Loopback:
    """A server on 127.0.0.1 (or another loopback `host`), on a free port unless given one,
    speaking HTTPS when given a server-side TLS context."""

    def __init__(
        self,
        handle: Handle,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = handle(self.command, self.path, self.headers, body)
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, data, headers = answer
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on 127.0.0.1:{port}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def memcached_server() -> Iterator[str]:
    """A memcached of the caller's own on a free loopback port: its address."""
    binary = shutil.which("memcached")
    assert binary, "these tests need the memcached binary on PATH"
    port = free_port()
    server = subprocess.Popen(
        [binary, "-l", "127.0.0.1", "-p", str(port), "-m", "16", "-U", "0"]
        + (["-u", "nobody"] if os.geteuid() == 0 else []),  # it refuses root without -u
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(5)


def use_object_cache(settings, where: str) -> None:
    """The object cache on the memcached at `where`, as a cluster sets it (pytest's `settings`)."""
    from filmroll.settings import object_cache

    settings.CACHES = {**settings.CACHES, "default": object_cache([where])}
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, cache_servers=(where,))


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis of the caller's own on a free loopback port, keeping nothing on disk: its URL."""
    binary = shutil.which("redis-server")
    assert binary, "these tests need the redis-server binary on PATH"
    port = free_port()
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(5)


@contextlib.contextmanager
def s3_server(port: int) -> Iterator[str]:
    """A real S3 API server (moto's) on loopback; its endpoint URL."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.2),
            ):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the S3 test server did not start on port {port}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_bucket(url: str, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    # Photos are public, as a bucket a CDN serves from is: browsers load them with no signature.
    public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": f"arn:aws:s3:::{bucket}/*"}  # fmt: skip
    client.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]})
    )


class Recorder:
    """A loopback server that records each request (method, path, headers) and answers
    `answer`; pass Loopback's `host`, `port` and `tls` through."""

    def __init__(
        self, answer: tuple[int, bytes, dict[str, str]] = (200, b"{}", {}), **where
    ) -> None:
        self.seen: list[tuple[str, str, Message]] = []
        self.answer = answer
        self.http = Loopback(self.handle, **where)
        self.url, self.port = self.http.url, self.http.port

    def handle(self, method: str, path: str, headers: Message, body: bytes):
        self.seen.append((method, path, headers))
        return self.answer

    def stop(self) -> None:
        self.http.stop()


class Recorders:
    """Makes Recorders (call it like Recorder) and stops them all when its `with` ends."""

    def __init__(self) -> None:
        self.made: list[Recorder] = []

    def __call__(self, *args, **kwargs) -> Recorder:
        self.made.append(Recorder(*args, **kwargs))
        return self.made[-1]

    def __enter__(self) -> Recorders:
        return self

    def __exit__(self, *exc) -> None:
        for recorder in self.made:
            recorder.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key, as PEM files in `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _database_urls() -> dict[str, str]:
    """FILMROLL_* database settings naming the databases this test run uses (its test copies)."""

    def url(alias: str) -> str:
        params = connections[alias].settings_dict
        if params["ENGINE"].endswith("sqlite3"):
            return f"sqlite:///{params['NAME']}"
        auth = quote(params["USER"]) + (
            f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
        )
        return f"postgres://{auth}@{params['HOST']}:{params['PORT']}/{params['NAME']}"

    shards = settings.FILMROLL.shard_databases
    return {
        "FILMROLL_DATABASE_URL": url("default"),
        "FILMROLL_SHARD_DATABASES": ",".join(f"{name}={url(name)}" for name in shards),
        "FILMROLL_INDEX_DATABASE": url("index"),
    }


@contextlib.contextmanager
def live_filmroll(folder: Path, **env: str) -> Iterator[tuple[str, Path]]:
    """`filmroll serve` over HTTPS with a certificate of its own, on the test run's databases
    (a committed-transaction test's rows are what it serves): its base URL and the certificate
    to trust. Background tasks stay queued for the test to run (run_tasks)."""
    cert, key = self_signed(folder / "tls")
    port = free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--no-tasks", "--certfile", str(cert), "--keyfile", str(key)],
        env={**os.environ, **_database_urls(), "FILMROLL_REQUEST_LOGS": "0", **env},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"https://localhost:{port}"
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", context=trust, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"filmroll serve did not start:\n{(folder / 'serve.log').read_text()}"
                    ) from None
                time.sleep(0.2)
        yield base, cert
    finally:
        process.terminate()
        # beyond the server's graceful timeout (30 s): a request a test left hanging holds its
        # worker until then
        process.wait(timeout=60)
        log.close()


def kill_mid_request(marker: Path, send: Callable[[], object], seconds: float = 60) -> None:
    """Run `send` (a request to a live_filmroll started with FILMROLL_TEST_PAUSE=POINT:marker)
    in a thread; when the worker serving it reaches the fault point and writes its process ID
    to `marker`, kill it with SIGKILL: the request dies there, as in a crash."""
    thread = threading.Thread(target=_quiet, args=(send,))
    thread.start()
    deadline = time.monotonic() + seconds
    while not marker.exists() or not marker.read_text():
        if time.monotonic() > deadline:
            raise AssertionError("the request never reached the fault point")
        time.sleep(0.05)
    os.kill(int(marker.read_text()), signal.SIGKILL)
    thread.join(timeout=seconds)


def _quiet(send: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # the connection dies with the worker
        send()
