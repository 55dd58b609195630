"""The API's rate limits: every request counts against its client IP and, when it carries one,
its token (or, for a public read without one, the app's client_id); the tighter of the two is
reported in X-Ratelimit-* headers."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

from filmroll.api.request import PublicRequest
from filmroll.limits import ratelimit
from filmroll.netaddr import client_address


def client_ip(request: HttpRequest) -> str:
    """The client's address, behind trusted proxies too (netaddr.client_address)."""
    return client_address(request.META)


def count(request: PublicRequest) -> ratelimit.Verdict:
    config = settings.FILMROLL
    rules = [(f"ip:{client_ip(request)}", config.ratelimit_ip_per_hour)]
    if request.token is not None:
        rules.append((f"token:{request.token.pk}", config.ratelimit_per_hour))
    elif (app := getattr(request, "app", None)) is not None:  # v1's limit per client_id
        rules.append((f"app:{app.pk}", config.ratelimit_per_hour))
    now = time.time()
    verdicts = ratelimit.hit(rules, now)
    request.counted = ([key for key, _ in rules], now)
    refused = [v for v in verdicts if not v.allowed]
    return refused[0] if refused else min(verdicts, key=lambda v: v.remaining)


def take_back(request: PublicRequest) -> None:
    """Uncount the request (it is answered again and counted then)."""
    if counted := getattr(request, "counted", None):
        ratelimit.undo(*counted)


def headers(verdict: ratelimit.Verdict) -> dict[str, str]:
    shown = {
        "X-Ratelimit-Limit": str(verdict.limit),
        "X-Ratelimit-Remaining": str(verdict.remaining),
    }
    if not verdict.allowed:
        shown["Retry-After"] = str(verdict.retry_after)
    return shown
