"""Error reports to Sentry (FILMROLL_SENTRY_DSN), from requests and Celery tasks, and every
ERROR log record.

Nothing personal is sent by default: no user data, IP addresses, cookies or headers that carry
credentials, and no query strings or bodies (either may hold a token or a password).

Errors only, and nothing on the way of a request that has none: not the SDK's Django
integration, which wraps every middleware, view, SQL statement and template and starts a
transaction per request (with tracing off it still builds the spans and breadcrumbs, then drops
them: a fifth of a feed read's CPU), nor its Redis integration (a span and a breadcrumb per
command). A request's exception is reported from Django's got_request_exception signal (or the
ERROR record of the code that caught it), with the request's URL, method and headers read when
an event is made, from the request the Observe middleware keeps in a context variable.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote

from filmroll import __version__
from filmroll.observe.context import current_request, request_id

if TYPE_CHECKING:
    from django.http import HttpRequest
    from sentry_sdk.types import Event, Hint

# headers that carry credentials or the client's address (the SDK's list, Cookie, and the CSRF
# token app.js sends with each fetch: the SDK's scrubber knows it only as "x_csrftoken")
_DROPPED_HEADERS = {
    "authorization",
    "x-csrftoken",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-forwarded-for",
    "x-real-ip",
}


def _scrub(event: Event, hint: Hint) -> Event:
    request = event.get("request")
    if request:
        for field in ("query_string", "data", "cookies", "env"):
            request.pop(field, None)
        headers = request.get("headers")
        headers = headers if isinstance(headers, dict) else {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS}
        url = request.get("url")
        if isinstance(url, str) and url:
            request["url"] = _cleaned(url.split("?", 1)[0])
    _scrub_log_entry(event.get("logentry"))
    event.pop("user", None)
    if request_id.get():
        event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


# a query string in a log record's text, after a path ("GET /p/x/?access_token=...")
_QUERY = re.compile(r"(/[^\s?]*)\?\S*")
# a password-reset link's token (accounts/reset/<uidb64>/<token>/): whoever reads it could set
# the password until it is used or expires
_RESET = re.compile(r"(/accounts/reset/[^/\s]+/)(?!set-password/)[^/?#\s]+")


def _cleaned(text: str) -> str:
    return _RESET.sub(r"\1[token]", _QUERY.sub(r"\1", text))


def _scrub_log_entry(entry: object) -> None:
    """An ERROR record's text without query strings: gunicorn's "Error handling request GET
    /path?query" (an exception that escaped Django, such as a streamed response's) holds the
    URI as the client sent it, and an access_token may be in it."""
    if not isinstance(entry, dict):
        return
    for field in ("message", "formatted"):
        if isinstance(entry.get(field), str):
            entry[field] = _cleaned(entry[field])
    params = entry.get("params")
    if isinstance(params, (list, tuple)):
        entry["params"] = [_cleaned(p) if isinstance(p, str) else p for p in params]


def _with_request(event: Event, hint: Hint) -> Event:
    """An event made during a request (an exception Django gave up on, an ERROR record) says
    which: URL without the query string, method, headers (scrubbed in _scrub), and the route
    as the transaction, named as the SDK's Django integration named it."""
    request = current_request.get()
    if request is None or ("request" in event and event["request"].get("url")):
        return event
    meta = request.META
    scheme = request.scheme or "http"
    host = meta.get("HTTP_HOST") or _server(scheme, meta)
    event["request"] = {
        "url": f"{scheme}://{host}{quote(request.path)}",
        "method": request.method,
        "headers": _headers(request),
    }
    trace = event.get("contexts", {}).get("trace")
    if isinstance(trace, dict) and request_id.get():
        trace["trace_id"] = _trace_id(request_id.get())
    if not event.get("transaction"):
        route = _route(request)
        if route:
            event["transaction"] = route
            event["transaction_info"] = {"source": "route"}
    return event


def _trace_id(request: str) -> str:
    """A trace per request, as the SDK's scope per request gave (without one, every event of a
    process shares the trace made at its start): the request ID's, as 32 hex digits."""
    return request if _HEX32.match(request) else uuid.uuid5(uuid.NAMESPACE_URL, request).hex


_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def _server(scheme: str, meta: dict) -> str:
    name, port = meta.get("SERVER_NAME", ""), meta.get("SERVER_PORT", "")
    return name if (scheme, port) in {("http", "80"), ("https", "443")} else f"{name}:{port}"


def _headers(request: HttpRequest) -> dict[str, str]:
    headers = {}
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        headers[name.replace("_", "-").title()] = value
    return headers


def _route(request: HttpRequest) -> str | None:
    from sentry_sdk.integrations.django.transactions import LEGACY_RESOLVER

    try:
        return LEGACY_RESOLVER.resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Exception:  # a name is a nicety: the report goes without it
        return None


def _report_request_exception(sender: object, request: HttpRequest | None = None, **kwargs) -> None:
    """Django gave up on a view's exception (its 500 page follows): report it, marked unhandled,
    as the SDK's Django integration did (Django's ERROR record of it is not: see start)."""
    import sys

    import sentry_sdk
    from sentry_sdk.utils import event_from_exception

    client = sentry_sdk.get_client()
    if not client.is_active():
        return
    event, hint = event_from_exception(
        sys.exc_info(),
        client_options=client.options,
        mechanism={"type": "django", "handled": False},
    )
    sentry_sdk.capture_event(event, hint=hint)


def _hook() -> None:
    """The request hooks, once per process (start may be called again, as the tests do)."""
    global _hooked
    from django.core.signals import got_request_exception
    from sentry_sdk.scope import add_global_event_processor

    if not _hooked:
        add_global_event_processor(_with_request)
        got_request_exception.connect(_report_request_exception, dispatch_uid=__name__)
        _hooked = True


_hooked = False


def start(dsn: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.argv import ArgvIntegration
    from sentry_sdk.integrations.atexit import AtexitIntegration
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.dedupe import DedupeIntegration
    from sentry_sdk.integrations.excepthook import ExcepthookIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger
    from sentry_sdk.integrations.modules import ModulesIntegration
    from sentry_sdk.integrations.threading import ThreadingIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=f"filmroll@{__version__}",
        # only these: not the defaults' HTTP-client integration (a span, a breadcrumb and
        # trace headers on every outgoing request, such as a push delivery's), nor any other
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=[
            # a task's exception
            CeleryIntegration(),
            # error records become events; other records are not looked at (no breadcrumbs)
            LoggingIntegration(level=None, event_level=logging.ERROR),
            # one event for an exception reported twice (logged where caught, then raised on)
            DedupeIntegration(),
            # crashes of a command or a thread; the events still queued when a process exits
            ExcepthookIntegration(),
            ThreadingIntegration(),
            AtexitIntegration(),
            # the command line and the installed packages' versions in each event
            ArgvIntegration(),
            ModulesIntegration(),
        ],
        # no user identity, bodies or stack-frame variables (a frame's `request` shows the
        # query string, which may hold a token)
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        before_send=_scrub,
        traces_sample_rate=None,
        # errors are what is reported: no release-health sessions per request
        auto_session_tracking=False,
        # no breadcrumbs: they would hold SQL and Redis commands (people's data); the request_id
        # tag finds the request's log lines instead
        max_breadcrumbs=0,
    )
    _hook()
    # Django's own log lines of a failed request (its signal is reported, with the exception),
    # and of each SQL statement
    for name in ("django.request", "django.server", "django.db.backends"):
        ignore_logger(name)
