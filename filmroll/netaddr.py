"""Is an address in one of some networks (configuration lists such as 127.0.0.0/8,::1/128)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def within(address: str, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)
