"""The v1 envelope: every API answer, success or failure, is `{"meta": {...}, "data": ...}`.

`endpoint` wraps each view: it authenticates, counts the request against the rate limits,
checks the method and the token's scope, parses the body (form, multipart or JSON) into
`request.data`, and turns every error into an envelope, never an HTML page or a bare 500.
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
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from filmroll.accounts import tokens
from filmroll.api import scopes, throttle
from filmroll.api.request import PublicRequest
from filmroll.errors import FilmrollError, Invalid, MissingToken, RateLimited, TooLarge

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


def _check_query(request: HttpRequest) -> None:
    # No query parameter takes NUL, and PostgreSQL cannot store it (body fields: `field`).
    if any("\x00" in v for k, v in request.GET.items() if k != "access_token"):
        raise Invalid("query parameters must not contain NUL characters")


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
    try:
        return {key: request.POST.get(key) for key in request.POST}
    except MultiPartParserError as error:
        raise Invalid(f"the multipart body cannot be read: {error}") from None


def _authenticate(request: PublicRequest) -> None:
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else request.GET.get("access_token")
    if not raw:
        raise MissingToken("an access_token is required (Authorization: Bearer TOKEN)")
    request.token = tokens.lookup(raw)
    request.api_user = request.token.user


Scope = str | dict[str, str] | None


def endpoint(*methods: str, auth: bool = True, scope: Scope = scopes.BASIC) -> Callable:
    """`scope`: the scope a token needs, or one per method; None when the view decides (it
    calls scopes.require itself)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            response, verdict = _answer(request, view, args, kwargs)
            if verdict is not None:
                for name, value in throttle.headers(verdict).items():
                    response[name] = value
            return response

        def _answer(request, view, args, kwargs):
            verdict = None
            try:
                request.token = request.api_user = None
                unauthenticated = None
                if auth:
                    try:
                        _authenticate(request)
                    except FilmrollError as error:
                        unauthenticated = error  # counted against the IP all the same
                verdict = throttle.count(request)
                if not verdict.allowed:
                    raise RateLimited(
                        f"the limit of {verdict.limit} requests an hour is used up; try again"
                        f" in {verdict.retry_after} seconds"
                    )
                if unauthenticated is not None:
                    raise unauthenticated
                if request.method not in allowed:
                    response = failure(
                        405, "APIMethodNotAllowed", f"{request.method} is not allowed here"
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response, verdict
                needed = scope.get(request.method) if isinstance(scope, dict) else scope
                if auth and needed:
                    scopes.require(request, needed)
                _check_query(request)
                request.data = _parse_body(request)
                return view(request, *args, **kwargs), verdict
            except FilmrollError as error:
                return failure(error.status, error.error_type, error.message), verdict
            except RequestDataTooBig:
                return failure(
                    TooLarge.status, TooLarge.error_type, "the request body is too large"
                ), verdict
            except Exception:
                log.exception("unhandled error in %s", request.path)
                return failure(
                    500, "APIError", "something went wrong on our side; try again"
                ), verdict

        return run

    return wrap


def field(request: PublicRequest, name: str) -> Any:
    """A parameter from the body, else from the query string. No parameter takes NUL (nor can
    PostgreSQL store it); fields nobody reads are never looked at."""
    value = request.data.get(name)
    value = request.GET.get(name) if value is None else value
    if isinstance(value, str) and "\x00" in value:
        raise Invalid(f"{name} must not contain NUL characters")
    return value


def upload(request: HttpRequest, name: str) -> bytes | None:
    """The bytes of an uploaded file, refused by size before they are read into memory."""
    file = request.FILES.get(name)
    if file is None:
        return None
    limit = settings.FILMROLL.max_upload_bytes
    if (file.size or 0) > limit:  # Django's uploads always know their size
        raise Invalid(f"{name} is over the limit of {limit // (1024 * 1024)} MB")
    return file.read()
