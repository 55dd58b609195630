"""Error reports to Sentry (FILMROLL_SENTRY_DSN), from requests, Celery tasks and Redis calls.

Nothing personal is sent by default: no user data, IP addresses, cookies or headers that carry
credentials, and no query strings or bodies (either may hold a token or a password)."""

from __future__ import annotations

import re
from typing import Any

from filmroll import __version__

QUERY = re.compile(r"\?[^\s'\"]*")


def _scrub(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if request:
        for field in ("query_string", "data", "cookies", "env"):
            request.pop(field, None)
        headers = request.get("headers") or {}
        request["headers"] = {
            k: v
            for k, v in headers.items()
            if k.lower() not in {"authorization", "cookie", "x-forwarded-for"}
        }
        if request.get("url"):
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("user", None)
    from filmroll.ops.context import request_id

    if request_id.get():
        event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


def _scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    # Log breadcrumbs carry the record's extras, such as Django's request (with its query).
    crumb.pop("data", None)
    if isinstance(crumb.get("message"), str):
        crumb["message"] = QUERY.sub("?…", crumb["message"])
    return crumb


def start(dsn: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=f"filmroll@{__version__}",
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        # no user identity, bodies or stack-frame variables (a frame's `request` shows the
        # query string, which may hold a token)
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        before_send=_scrub,
        before_breadcrumb=_scrub_breadcrumb,
        traces_sample_rate=0.0,
    )
