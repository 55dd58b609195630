"""The API's rate limits: every request counts against its client IP and, when it carries one,
its token (or, for a public read without one, the app's client_id); the tighter of the two is
reported in X-Ratelimit-* headers."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from filmroll.limits import ratelimit
from filmroll.netaddr import within


def _trusted(address: str) -> bool:
    return within(address, settings.FILMROLL.trusted_proxies)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's, or behind a trusted proxy (FILMROLL_TRUSTED_PROXIES)
    the nearest address in X-Forwarded-For that is not itself a trusted proxy. Addresses a
    client wrote further left are not believed."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted(address):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbled: stop at the last address we could trust
        if not _trusted(hop):
            return hop
        address = hop
    return address


def count(request: HttpRequest) -> ratelimit.Verdict:
    config = settings.FILMROLL
    rules = [(f"ip:{client_ip(request)}", config.ratelimit_ip_per_hour)]
    if getattr(request, "token", None) is not None:
        rules.append((f"token:{request.token.pk}", config.ratelimit_per_hour))
    elif getattr(request, "app", None) is not None:  # v1's limit per client_id
        rules.append((f"app:{request.app.pk}", config.ratelimit_per_hour))
    verdicts = ratelimit.hit(rules)
    refused = [v for v in verdicts if not v.allowed]
    return refused[0] if refused else min(verdicts, key=lambda v: v.remaining)


def headers(verdict: ratelimit.Verdict) -> dict[str, str]:
    shown = {
        "X-Ratelimit-Limit": str(verdict.limit),
        "X-Ratelimit-Remaining": str(verdict.remaining),
    }
    if not verdict.allowed:
        shown["Retry-After"] = str(verdict.retry_after)
    return shown
