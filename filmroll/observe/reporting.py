"""Error reports to Sentry (FILMROLL_SENTRY_DSN), from requests, Celery tasks and Redis calls.

Nothing personal is sent by default: no user data, IP addresses, cookies or headers that carry
credentials, and no query strings or bodies (either may hold a token or a password)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from filmroll import __version__

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint


def _scrub(event: Event, hint: Hint) -> Event:
    request = event.get("request")
    if request:
        for field in ("query_string", "data", "cookies", "env"):
            request.pop(field, None)
        headers = request.get("headers")
        headers = headers if isinstance(headers, dict) else {}
        request["headers"] = {
            k: v
            for k, v in headers.items()
            if k.lower() not in {"authorization", "cookie", "x-forwarded-for"}
        }
        url = request.get("url")
        if isinstance(url, str) and url:
            request["url"] = url.split("?", 1)[0]
    event.pop("user", None)
    from filmroll.observe.context import request_id

    if request_id.get():
        event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


def start(dsn: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=f"filmroll@{__version__}",
        # errors only: no performance tracing, so none of its per-middleware, per-signal and
        # per-cache-call spans on every request
        integrations=[
            DjangoIntegration(middleware_spans=False, signals_spans=False, cache_spans=False),
            CeleryIntegration(),
            RedisIntegration(),
            # error records become events; other records are not looked at (no breadcrumbs)
            LoggingIntegration(level=None, event_level=logging.ERROR),
        ],
        # no user identity, bodies or stack-frame variables (a frame's `request` shows the
        # query string, which may hold a token)
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        before_send=_scrub,
        traces_sample_rate=None,
        # errors are what is reported: no release-health sessions per request, and only the
        # integrations listed (with the defaults, such as logging), not every one that could load
        auto_session_tracking=False,
        auto_enabling_integrations=False,
        # no breadcrumbs: they hold SQL and Redis commands (people's data) and cost time on
        # every call; the request_id tag finds the request's log lines instead
        max_breadcrumbs=0,
    )
