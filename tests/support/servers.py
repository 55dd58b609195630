"""Small HTTP servers on loopback standing in for remote services (callbacks, PagerDuty,
Sentry, push services, other networks): each request goes to a function of the test's."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
