"""Around every request: its ID, its metrics and its log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from filmroll.observe import metrics
from filmroll.observe.context import current_request, new_request_id, request_id

log = logging.getLogger("filmroll.request")
# a request's method as its metric's label: any other word a client sends is "other" (each label
# is a series kept for good in every process and its metric files)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Observe:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: that builds a dict of every header (~15 us a request)
        token = request_id.set(new_request_id(request.META.get("HTTP_X_REQUEST_ID")))
        # for an error report on the way (filmroll.observe.reporting)
        current = current_request.set(request)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - start
            match = request.resolver_match
            # the route, not the path: one series per endpoint, whatever the IDs
            view = match.view_name if match else "unmatched"
            method = request.method if request.method in METHODS else "other"
            metrics.child(metrics.REQUESTS, view, method, str(response.status_code)).inc()
            metrics.child(metrics.REQUEST_SECONDS, view).observe(seconds)
            response["X-Request-ID"] = request_id.get()
            if log.isEnabledFor(logging.INFO):
                log.handle(_line(request, response, view, seconds))
            return response
        finally:
            current_request.reset(current)
            request_id.reset(token)


def _line(
    request: HttpRequest, response: HttpResponse, view: str, seconds: float
) -> logging.LogRecord:
    """The request's log record, made here: log.info would walk up the stack for the caller's
    file and line, which the line does not show (a quarter of its time)."""
    return log.makeRecord(
        log.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %s",
        (request.method, request.path, response.status_code),
        None,
        extra={
            "request_id": request_id.get(),
            "method": request.method,
            "path": request.path,  # never the query string: it may hold a token
            "view": view,
            "status": response.status_code,
            "ms": round(seconds * 1000, 2),
            "user_id": _user_id(request),
        },
    )


def _user_id(request: HttpRequest) -> int | None:
    """The user the request was answered for: the API's token's, or the page's signed-in one if
    the page looked them up (Django keeps that in `_cached_user`). A page that did not is not
    made to for its log line: that is a session read and a user lookup. A view that signed
    someone in or out set request.user itself (Django's login and logout): that one."""
    user = getattr(request, "api_user", None)
    if user is None:
        user = request.__dict__.get("user")
        if type(user) is SimpleLazyObject:  # as AuthenticationMiddleware left it: not asked
            user = getattr(request, "_cached_user", None)
    return getattr(user, "id", None)
