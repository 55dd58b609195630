"""Talking to subscribers' callback URLs without letting them point filmroll at itself.

A callback may only reach public addresses. Its host is resolved once per request and every
address checked (IPv4-mapped and 6to4/Teredo IPv6 unwrapped, numeric forms such as 2130706433
included, since the resolver reads them); the connection then goes to the checked address, so a
second DNS answer cannot swap in another. Redirects are never followed. Networks listed in
FILMROLL_CALLBACK_ALLOW_NETWORKS are allowed although not public (loopback in the tests).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from filmroll.errors import Invalid
from filmroll.netaddr import within

TIMEOUT = urllib3.Timeout(connect=5, read=10)
MAX_ANSWER = 64 * 1024


class Unreachable(Exception):
    """The callback could not be reached or did not answer 2xx."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP to connect to
    path: str  # path and query


def _unwrap(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return embedded
    return ip


def allowed(raw: str) -> bool:
    if within(raw, settings.FILMROLL.callback_allow_networks):
        return True
    ip = _unwrap(ipaddress.ip_address(raw.split("%")[0]))
    return ip.is_global and not ip.is_multicast


def check(url: str) -> Target:
    """The target of a callback URL; Invalid saying why when it may not be called."""
    if not isinstance(url, str) or not url:
        raise Invalid("callback_url is required")
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # http://[::1 and the like
        raise Invalid("callback_url is not a URL that can be parsed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("callback_url must be an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise Invalid("callback_url may not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Invalid("callback_url has an invalid port") from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(f"callback_url's host {parts.hostname!r} does not resolve") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    refused = [a for a in addresses if not allowed(a)]
    if not addresses or refused:
        raise Invalid(
            f"callback_url's host {parts.hostname!r} resolves to an address that is not public"
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


def call(
    target: Target, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, bytes]:
    """One request to the checked address; its status and up to 64 KB of its answer."""
    kind = urllib3.HTTPSConnectionPool if target.scheme == "https" else urllib3.HTTPConnectionPool
    extra = {"server_hostname": target.host, "assert_hostname": target.host}
    pool = kind(
        target.address,
        target.port,
        timeout=TIMEOUT,
        retries=False,
        maxsize=1,
        **(extra if target.scheme == "https" else {}),
    )
    host = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal
    if target.port != (443 if target.scheme == "https" else 80):
        host = f"{host}:{target.port}"
    try:
        response = pool.urlopen(
            method,
            path,
            body=body,
            headers={"Host": host, "User-Agent": "filmroll-realtime/1", **(headers or {})},
            redirect=False,
            preload_content=False,
        )
        try:
            answer = response.read(MAX_ANSWER)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise Unreachable(f"{target.host}: {error}") from None
    finally:
        pool.close()
    return response.status, answer
