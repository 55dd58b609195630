"""Addresses: is one in some networks (configuration lists such as 127.0.0.0/8,::1/128), and
which address a request came from."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings


def within(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


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
