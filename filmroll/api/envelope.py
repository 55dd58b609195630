"""The v1 envelope: every API answer, success or failure, is `{"meta": {...}, "data": ...}`.

`endpoint` wraps each view: it checks the method, authenticates, parses the body (form,
multipart or JSON) into `request.data`, and turns every error into an envelope, never an HTML
page or a bare 500.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from filmroll.accounts import tokens
from filmroll.errors import FilmrollError, Invalid, MissingToken, TooLarge

log = logging.getLogger(__name__)


def ok(data: Any, status: int = 200, pagination: dict | None = None) -> JsonResponse:
    body: dict[str, Any] = {"meta": {"code": status}, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return JsonResponse(body, status=status)


def failure(status: int, error_type: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"meta": {"code": status, "error_type": error_type, "error_message": message}},
        status=status,
    )


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    if request.method in ("GET", "HEAD", "DELETE") and not request.body:
        return {}
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Invalid("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Invalid("the JSON body must be an object")
        return data
    return {key: request.POST.get(key) for key in request.POST}


def _authenticate(request: HttpRequest) -> None:
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else request.GET.get("access_token")
    if not raw:
        raise MissingToken("an access_token is required (Authorization: Bearer TOKEN)")
    request.token = tokens.lookup(raw)
    request.api_user = request.token.user


def endpoint(*methods: str, auth: bool = True) -> Callable:
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in allowed:
                response = failure(
                    405, "APIMethodNotAllowed", f"{request.method} is not allowed here"
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                request.data = _parse_body(request)
                request.api_user = None
                if auth:
                    _authenticate(request)
                return view(request, *args, **kwargs)
            except FilmrollError as error:
                return failure(error.status, error.error_type, error.message)
            except RequestDataTooBig:
                return failure(
                    TooLarge.status, TooLarge.error_type, "the request body is too large"
                )
            except Exception:
                log.exception("unhandled error in %s", request.path)
                return failure(500, "APIError", "something went wrong on our side; try again")

        return run

    return wrap


def field(request: HttpRequest, name: str) -> Any:
    """A parameter from the body, else from the query string."""
    value = request.data.get(name)
    return request.GET.get(name) if value is None else value


def upload(request: HttpRequest, name: str) -> bytes | None:
    """The bytes of an uploaded file, refused by size before they are read into memory."""
    file = request.FILES.get(name)
    if file is None:
        return None
    limit = settings.FILMROLL.max_upload_bytes
    if file.size > limit:
        raise Invalid(f"{name} is over the limit of {limit // (1024 * 1024)} MB")
    return file.read()
