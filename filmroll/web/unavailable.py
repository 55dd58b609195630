"""A database that cannot take the write, a Redis that refuses connections, a photo store that is
full or gone: the pages answer as the API does (`api/envelope.py`), 503 with Retry-After and a
page that says to try again, not "something went wrong". The faults are the ones
`errors.database_unavailable` names, and `StorageUnavailable` that a view lets through; the API's
paths keep their envelope."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

from filmroll.api.envelope import is_api
from filmroll.errors import StorageUnavailable, database_unavailable

log = logging.getLogger(__name__)


def page(fault: StorageUnavailable) -> HttpResponse:
    """The 503 page, drawn without the request's context (no account, no queries: the database
    may be what is gone), in the request's language."""
    answer = HttpResponse(loader.render_to_string("503.html"), status=fault.status)
    answer["Retry-After"] = str(fault.retry_after)
    return answer


class Unavailable:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if is_api(request):
            return None
        fault = error if isinstance(error, StorageUnavailable) else database_unavailable(error)
        if fault is None:
            return None  # a bug: Django's 500 page
        log.warning("unavailable in %s", request.path, exc_info=error)
        return page(fault)
