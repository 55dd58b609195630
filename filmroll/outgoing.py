"""The one HTTP client for requests filmroll makes on someone's behalf, to addresses people give
it: real-time callbacks, Mastodon instances and the other share targets, Web Push endpoints.

For each request the host is resolved once, every address it resolves to is checked
(`netaddr.reachable`: public, or in FILMROLL_CALLBACK_ALLOW_NETWORKS), and the connection goes
to a checked address, so a second DNS answer cannot swap in another (DNS rebinding). The
request keeps the original Host header, and TLS sends and verifies the original name (httpx's
`sni_hostname` extension). Redirects are never followed; connecting, each read and each write
time out, and the whole answer must arrive within a deadline; answers larger than a cap are
refused, compressed ones too (their unpacked size is unknown). No proxy from the environment
is used: it would resolve the name itself.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx
from django.conf import settings

from filmroll.errors import Invalid
from filmroll.netaddr import reachable

TIMEOUT = httpx.Timeout(10, connect=5)
DEADLINE = 60.0  # seconds for a whole answer, however slowly it trickles in
MAX_ANSWER = 1024 * 1024

# (host, port) -> the addresses to connect to, in order
Resolve = Callable[[str, int], list[str]]


class Blocked(httpx.ConnectError):
    """Nothing was sent: the host resolves to an address filmroll may not reach."""


class TooLarge(httpx.ReadError):
    """The answer is larger than the cap (or compressed, so of unknown size)."""


def dns(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise httpx.ConnectError(f"{host} does not resolve: {error}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def hosts_table(items: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """FILMROLL_OUTGOING_HOSTS's `NAME=ADDRESS` items as a table of names to addresses."""
    table: dict[str, tuple[str, ...]] = {}
    for item in items:
        host, _, address = item.partition("=")
        table[host] = (*table.get(host, ()), address)
    return table


def with_hosts(table: Mapping[str, Iterable[str]], fallback: Resolve = dns) -> Resolve:
    """A resolver that answers the names in `table` (like /etc/hosts) and asks `fallback` for
    the rest. The answers are checked like any others."""

    def resolve(host: str, port: int) -> list[str]:
        known = table.get(host.lower())
        return list(known) if known else fallback(host, port)

    return resolve


def checked(host: str, port: int, resolve: Resolve, allow: Iterable[str]) -> list[str]:
    """The addresses `host` resolves to (once), if every one of them may be reached."""
    found = resolve(host, port)
    refused = [a for a in found if not reachable(a, allow)]
    if not found or refused:
        raise Blocked(f"{host} resolves to an address that is not public ({', '.join(refused)})")
    return found


class _Capped(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int, deadline: float) -> None:
        self.inner, self.limit, self.deadline = inner, limit, deadline

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.inner:
            seen += len(chunk)
            if seen > self.limit:
                raise TooLarge(f"the answer is larger than {self.limit} bytes")
            if time.monotonic() > self.deadline:
                raise httpx.ReadTimeout("the answer took too long to arrive")
            yield chunk

    def close(self) -> None:
        self.inner.close()


class Transport(httpx.BaseTransport):
    """Resolves, checks and connects to the checked address (see the module's doc)."""

    def __init__(
        self,
        resolve: Resolve = dns,
        allow: Iterable[str] = (),
        verify: ssl.SSLContext | bool = True,
        max_bytes: int = MAX_ANSWER,
        deadline: float = DEADLINE,
    ) -> None:
        self.resolve, self.allow, self.verify = resolve, tuple(allow), verify
        self.max_bytes, self.deadline = max_bytes, deadline
        # A pool per host name: a TLS connection verified for one name is never reused for
        # another that happens to share its address.
        self.pools: dict[str, httpx.HTTPTransport] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        host = request.url.raw_host.decode("ascii")
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            addresses = checked(host, port, self.resolve, self.allow)
        except httpx.ConnectError as error:
            error.request = request
            raise
        pool = self.pools.get(host)
        if pool is None:
            pool = self.pools[host] = httpx.HTTPTransport(verify=self.verify, trust_env=False)
        failure: httpx.ConnectError | None = None
        for address in addresses:  # as socket.create_connection would: the next on failure
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=address),
                headers=request.headers,  # Host stays the name asked for
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": host},
            )
            try:
                response = pool.handle_request(pinned)
            except httpx.ConnectError as error:
                failure = error
                continue
            return self._capped(response, started)
        assert failure is not None
        raise failure

    def _capped(self, response: httpx.Response, started: float) -> httpx.Response:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        length = response.headers.get("Content-Length", "")
        if encoding != "identity" or (length.isdigit() and int(length) > self.max_bytes):
            response.close()
            raise TooLarge(
                f"the answer is compressed ({encoding})"
                if encoding != "identity"
                else f"the answer is larger than {self.max_bytes} bytes ({length})"
            )
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Capped(response.stream, self.max_bytes, started + self.deadline)
        return response

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


class Client(httpx.Client):
    """httpx.Client over the checking Transport, which never follows a redirect."""

    def send(self, request: httpx.Request, **options: Any) -> httpx.Response:
        return super().send(request, **{**options, "follow_redirects": False})


def client(
    *,
    headers: Mapping[str, str] | None = None,
    timeout: httpx.Timeout = TIMEOUT,
    max_bytes: int = MAX_ANSWER,
    verify: ssl.SSLContext | bool = True,
    resolve: Resolve | None = None,
    allow: Iterable[str] | None = None,
) -> Client:
    """A client for one piece of work (use it in a `with`). The resolver and the allowed
    networks come from the settings unless given."""
    config = settings.FILMROLL
    transport = Transport(
        resolve=resolve or with_hosts(hosts_table(config.outgoing_hosts)),
        allow=config.callback_allow_networks if allow is None else allow,
        verify=verify,
        max_bytes=max_bytes,
    )
    return Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"Accept-Encoding": "identity", **(headers or {})},
    )


def check(url: Any, field: str) -> str:
    """`url` stripped, if it is an http(s) URL whose host resolves to reachable addresses only;
    Invalid naming `field` and saying why otherwise. For answering people at once: each request
    is checked again when it connects."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid(f"{field} is required")
    url = url.strip()
    try:
        parts = httpx.URL(url)  # as the client will read it
        host = parts.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError):
        raise Invalid(f"{field} is not a URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Invalid(f"{field} must be an absolute http:// or https:// URL")
    if parts.userinfo:
        raise Invalid(f"{field} may not carry a user name or password")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    config = settings.FILMROLL
    try:
        checked(
            host,
            port,
            with_hosts(hosts_table(config.outgoing_hosts)),
            config.callback_allow_networks,
        )
    except Blocked:
        raise Invalid(
            f"{field}'s host {host!r} resolves to an address that is not public"
        ) from None
    except httpx.ConnectError:
        raise Invalid(f"{field}'s host {host!r} does not resolve") from None
    return url
