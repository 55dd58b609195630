"""Addresses: is one in some networks (configuration lists such as 127.0.0.0/8,::1/128), which
address a request came from, and may filmroll reach one on someone's behalf (a public address,
with IPv4 carried inside IPv6 judged by the IPv4 it carries)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms whose last 32 bits are an IPv4 address that the packets end up at: IPv4-mapped,
# IPv4-translated (SIIT) and the well-known NAT64 prefix (64:ff9b::7f00:1 is 127.0.0.1 for a
# host behind NAT64). 6to4 (2002::/16) carries its IPv4 in bits 16-48 (`sixtofour`).
_CARRIERS = tuple(
    ipaddress.IPv6Network(n) for n in ("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# Refused whatever they carry; Python's is_global (3.11) calls some of them global.
_REFUSED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # IPv4-compatible (deprecated), with :: and ::1
        "64:ff9b:1::/48",  # NAT64 for local use
        "2001::/32",  # Teredo: a tunnel to a host behind NAT
        "fec0::/10",  # site-local (deprecated)
    )
)


def parse(address: str) -> IP | None:
    try:
        return ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None


def carried(ip: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if it is one of the forms that do."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _CARRIERS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def within(address: str, networks: Iterable[str]) -> bool:
    ip = parse(address)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def reachable(address: str, allowed: Iterable[str] = ()) -> bool:
    """May filmroll connect to this address on someone's behalf: a public address, or one in
    the networks the operator allows (judged by the IPv4 address an IPv6 form carries too)."""
    ip = parse(address)
    if ip is None:
        return False
    inner = carried(ip)
    allowed = tuple(allowed)
    if within(address, allowed) or (inner is not None and within(str(inner), allowed)):
        return True
    return public(address)


def public(address: str) -> bool:
    """A global unicast address: not loopback, private, link-local, shared (CGNAT), reserved,
    multicast, nor an IPv6 form that carries or tunnels to one of those."""
    ip = parse(address)
    if ip is None:
        return False
    inner = carried(ip)
    if inner is not None:
        return public(str(inner))
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in n for n in _REFUSED):
        return False
    return ip.is_global and not ip.is_multicast


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's address from a request's META: the peer's, or behind a trusted proxy
    (FILMROLL_TRUSTED_PROXIES) the nearest address in X-Forwarded-For that is not itself a
    trusted proxy. Addresses a client wrote further left are not believed."""
    trusted = settings.FILMROLL.trusted_proxies
    address = meta.get("REMOTE_ADDR") or "unknown"
    if not within(address, trusted):
        return address
    for hop in reversed((meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbled: stop at the last address we could trust
        if not within(hop, trusted):
            return hop
        address = hop
    return address
