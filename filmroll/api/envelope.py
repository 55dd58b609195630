"""The v1 envelope: every API answer, success or failure, is `{"meta": {...}, "data": ...}`.

`endpoint` wraps each view: it authenticates (a token, or for public reads an app's client_id),
counts the request against the rate limits, checks the method (a POST may say
`_method=DELETE`) and the token's scope, parses the body (form, multipart or JSON) into
`request.data`, turns every error into an envelope, never an HTML page or a bare 500, and
wraps the answer for JSONP when asked (`?callback=name`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from filmroll import objcache
from filmroll.accounts import clients, tokens
from filmroll.api import scopes, throttle
from filmroll.api.request import PublicRequest
from filmroll.errors import (
    FilmrollError,
    Invalid,
    MissingToken,
    RateLimited,
    StorageUnavailable,
    TooLarge,
    database_unavailable,
)

log = logging.getLogger(__name__)


class Encoded(JsonResponse):
    """A JSON answer encoded with orjson (several times faster than json for a feed page)."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        HttpResponse.__init__(self, body, status=status, content_type="application/json")


@dataclass(frozen=True)
class Raw:
    """`data` that is JSON already (objects.media_list_json): put into the envelope as it is."""

    json: bytes


_DJANGO = DjangoJSONEncoder()


def _default(value: Any) -> Any:
    return _DJANGO.default(value)  # dates, decimals, lazy text: as JsonResponse wrote them


def dumps(value: Any) -> bytes:
    """JSON as JsonResponse wrote it, by orjson; json itself for what orjson refuses (integers
    past 64 bits)."""
    try:
        return orjson.dumps(
            value,
            default=_default,
            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
        )
    except orjson.JSONEncodeError:
        return json.dumps(value, cls=DjangoJSONEncoder).encode()


def ok(data: Any, status: int = 200, pagination: dict | None = None) -> JsonResponse:
    head = b'{"meta":{"code":%d},"data":' % status
    tail = b"}" if pagination is None else b',"pagination":' + dumps(pagination) + b"}"
    body = data.json if isinstance(data, Raw) else dumps(data)
    return Encoded(head + body + tail, status=status)


def is_api(request: HttpRequest) -> bool:
    """Whether the request is the API's, so that errors answer in its envelope: under /api/ and
    /v1/ (where v1's clients look for it)."""
    return request.path.startswith(("/api/", "/v1/"))


def failure(status: int, error_type: str, message: str) -> JsonResponse:
    return Encoded(
        dumps({"meta": {"code": status, "error_type": error_type, "error_message": message}}),
        status=status,
    )


CREDENTIALS = ("access_token", "client_id")  # wrong ones are refused as such, NUL or not


def _check_query(request: HttpRequest) -> None:
    # No query parameter takes NUL, and PostgreSQL cannot store it (body fields: `field`).
    if any("\x00" in v for k, v in request.GET.items() if k not in CREDENTIALS):
        raise Invalid("query parameters must not contain NUL characters")


def _has_body(request: HttpRequest) -> bool:
    try:
        return bool(request.body)
    except RawPostDataException:  # read as a form already: a POST acting as DELETE (`_method`)
        return True


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    if request.method in ("GET", "HEAD", "DELETE") and not _has_body(request):
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


def _read(request: PublicRequest) -> dict[str, Any] | Exception:
    """The parsed body or why it cannot be read, once per request."""
    if not hasattr(request, "_api_body"):
        try:
            request._api_body = _parse_body(request)
        except (FilmrollError, RequestDataTooBig) as error:
            request._api_body = error
    return request._api_body


def _peek(request: PublicRequest) -> dict[str, Any]:
    """The body as authentication and `_method` see it before the view: empty when it cannot
    be read (the view is refused it later)."""
    body = _read(request)
    return body if isinstance(body, dict) else {}


def _parsed_body(request: PublicRequest) -> dict[str, Any]:
    body = _read(request)
    if isinstance(body, Exception):
        raise body
    return body


def _method(request: PublicRequest) -> None:
    """v1's form-post convention for clients that cannot send DELETE or PUT: a POST with
    `_method=DELETE` (in the query or the form) acts as a DELETE."""
    if request.method != "POST":
        return
    wanted = request.GET.get("_method") or _peek(request).get("_method")
    if wanted is None or wanted == "":
        return
    if not isinstance(wanted, str) or wanted.upper() not in ("DELETE", "PUT", "POST"):
        # never run the POST a client meant as something else (a PATCH would have liked)
        raise Invalid("_method may be DELETE or PUT")
    request.method = wanted.upper()


def _authenticate(request: PublicRequest, public: bool, kept: bool) -> None:
    """A user's token (Authorization: Bearer, or access_token in the query or the form body);
    or, where v1 allowed public reads by an app alone, a registered app's client_id. `kept`:
    a read may use this process's copy of the token, checked before it is answered (`run`)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")  # (request.headers: a dict of all)
    raw = header[7:].strip() if header[:7].lower() == "bearer " else request.GET.get("access_token")
    if not raw and request.method not in ("GET", "HEAD"):
        body_token = _peek(request).get("access_token")
        raw = body_token if isinstance(body_token, str) else None
    if raw:
        copy = tokens.kept(raw) if kept and request.method in ("GET", "HEAD") else None
        if copy is not None:
            request.kept_token = copy
            objcache.ride(copy.key)  # checked in the read's own multi-get
        request.token = copy.token if copy is not None else tokens.lookup(raw)
        request.api_user = request.token.user
        return
    client_id = request.GET.get("client_id")
    if public and request.method in ("GET", "HEAD") and client_id:
        request.app = clients.by_client_id(client_id, request.GET.get("client_secret"))
        return
    raise MissingToken("an access_token is required (Authorization: Bearer TOKEN)")


def viewer_id(request: PublicRequest) -> int | None:
    """Who is looking: the token's user, or None when an app reads public content alone."""
    return request.api_user.id if request.api_user is not None else None


# JSONP: a JavaScript name, dotted at most a few times (jQuery's callback names fit)
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,4}$", re.ASCII)


def _callback(request: HttpRequest) -> str | None:
    name = request.GET.get("callback")
    if name is not None and not CALLBACK.match(name):
        raise Invalid("callback must be a JavaScript name: letters, digits, _ and $, dotted")
    return name


LS, PS = "\u2028".encode(), "\u2029".encode()


def _jsonp(name: str, response: HttpResponse) -> HttpResponse:
    """`name({...});` with the envelope inside, answered 200 as v1 did: a script tag never
    runs an error page, so the code is read from meta. The comment in front keeps the first
    bytes out of the caller's control."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    # U+2028 and U+2029 end a line in older JavaScript, never inside JSON: escaped
    content = response.content.replace(LS, b"\\u2028").replace(PS, b"\\u2029")
    wrapped = HttpResponse(
        b"/**/" + name.encode() + b"(" + content + b");",
        content_type="application/javascript; charset=utf-8",
    )
    for header in ("Allow", "Cache-Control"):
        if header in response:
            wrapped[header] = response[header]
    return wrapped


Scope = str | dict[str, str] | None


@dataclass(frozen=True)
class Endpoint:
    """What a view declares: its methods, whether it needs a token, the scope (per method) it
    enforces, whether an app's client_id alone may read it."""

    methods: frozenset[str]
    auth: bool
    scope: Scope
    public: bool

    def scope_for(self, method: str) -> str | None:
        return self.scope.get(method) if isinstance(self.scope, dict) else self.scope


def endpoint(
    *methods: str,
    auth: bool = True,
    scope: Scope = scopes.BASIC,
    public: bool = False,
    kept_token: bool = False,
) -> Callable:
    """`scope`: the scope a token needs, or one per method; None for any token; OWN_OR_PUBLIC
    when the view decides (it calls scopes.require itself). `public`: GET may also be made by an app with its client_id
    alone (request.api_user is then None), as v1 allowed for public content. `kept_token`: its
    GET changes nothing, so it may run on this process's copy of the token, which the read's own
    multi-get checks against memcached's entry; when that changed meanwhile (revoked, its user
    changed) the request is counted back and answered again as any other (one round trip
    fewer a warm read)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not kept_token:
                response, verdict = _answer(request, view, args, kwargs)
            else:
                with objcache.riding() as answers:
                    response, verdict = _answer(request, view, args, kwargs, kept=True)
                copy = cast(PublicRequest, request).kept_token
                if copy is not None and not tokens.confirmed(copy, answers):
                    throttle.take_back(cast(PublicRequest, request))
                    response, verdict = _answer(request, view, args, kwargs)
            if verdict is not None:
                for name, value in throttle.headers(verdict).items():
                    response[name] = value
            return response

        def _answer(request, view, args, kwargs, kept=False):
            verdict = None
            callback = None
            try:
                request.token = request.api_user = request.app = request.kept_token = None
                callback = _callback(request)
                _method(request)
                unauthenticated = None
                if auth:
                    try:
                        _authenticate(request, public, kept)
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
                    return _wrapped(callback, response), verdict
                needed = scope.get(request.method) if isinstance(scope, dict) else scope
                if auth and needed and needed != scopes.OWN_OR_PUBLIC and request.token:
                    scopes.require(request, needed)
                _check_query(request)
                request.data = _parsed_body(request)
                return _wrapped(callback, view(request, *args, **kwargs)), verdict
            except FilmrollError as error:
                answer = failure(error.status, error.error_type, error.message)
                if isinstance(error, StorageUnavailable):
                    answer["Retry-After"] = str(error.retry_after)
            except RequestDataTooBig:
                answer = failure(
                    TooLarge.status, TooLarge.error_type, "the request body is too large"
                )
            except Exception as error:
                log.exception("unhandled error in %s", request.path)
                unavailable = database_unavailable(error)
                if unavailable is None:
                    answer = failure(500, "APIError", "something went wrong on our side; try again")
                else:  # the database's state, not a bug: say when to try again
                    answer = failure(
                        unavailable.status, unavailable.error_type, unavailable.message
                    )
                    answer["Retry-After"] = str(unavailable.retry_after)
            return _wrapped(callback, answer), verdict

        cast(Any, run).api = Endpoint(
            frozenset(allowed), auth, scope, public
        )  # for the doc's tests
        return run

    return wrap


def _wrapped(callback: str | None, response: HttpResponse) -> HttpResponse:
    return response if callback is None else _jsonp(callback, response)


def field(request: PublicRequest, name: str) -> Any:
    """A parameter from the body, else from the query string. No parameter takes NUL (nor can
    PostgreSQL store it); fields nobody reads are never looked at."""
    value = request.data.get(name)
    value = request.GET.get(name) if value is None else value
    if isinstance(value, str) and "\x00" in value:
        raise Invalid(f"{name} must not contain NUL characters")
    return value


def field_list(request: PublicRequest, name: str) -> list[Any]:
    """A form parameter sent once per item (`filter[]`), in the order sent."""
    values = request.POST.getlist(name)
    if any("\x00" in value for value in values):
        raise Invalid(f"{name} must not contain NUL characters")
    return values


def uploads(request: HttpRequest, name: str, most: int) -> list[bytes]:
    """The bytes of files uploaded under one name (`image[]`), in order: more than `most`
    refused before any is read, each refused by size before it is read."""
    files = request.FILES.getlist(name)
    if len(files) > most:
        raise Invalid(f"{name} takes at most {most} files; {len(files)} were sent")
    limit = settings.FILMROLL.max_upload_bytes
    if any((file.size or 0) > limit for file in files):
        raise Invalid(f"{name} has a file over the limit of {limit // (1024 * 1024)} MB")
    return [file.read() for file in files]


def upload(request: HttpRequest, name: str) -> bytes | None:
    """The bytes of an uploaded file, refused by size before they are read into memory."""
    file = request.FILES.get(name)
    if file is None:
        return None
    limit = settings.FILMROLL.max_upload_bytes
    if (file.size or 0) > limit:  # Django's uploads always know their size
        raise Invalid(f"{name} is over the limit of {limit // (1024 * 1024)} MB")
    return file.read()
