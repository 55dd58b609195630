"""Around every request: its ID, its metrics and its log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from filmroll.observe import metrics
from filmroll.observe.context import new_request_id, request_id

log = logging.getLogger("filmroll.request")


class Observe:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: that builds a dict of every header (~15 us a request)
        token = request_id.set(new_request_id(request.META.get("HTTP_X_REQUEST_ID")))
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - start
            match = request.resolver_match
            # the route, not the path: one series per endpoint, whatever the IDs
            view = match.view_name if match else "unmatched"
            metrics.REQUESTS.labels(view, request.method, str(response.status_code)).inc()
            metrics.REQUEST_SECONDS.labels(view).observe(seconds)
            response["X-Request-ID"] = request_id.get()
            user = getattr(request, "api_user", None) or getattr(request, "user", None)
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id.get(),
                    "method": request.method,
                    "path": request.path,  # never the query string: it may hold a token
                    "view": view,
                    "status": response.status_code,
                    "ms": round(seconds * 1000, 2),
                    "user_id": getattr(user, "id", None),
                },
            )
            return response
        finally:
            request_id.reset(token)
