"""Input that cannot be stored or parsed is refused before any view runs, on every path: text
with a lone surrogate (JSON's "\\ud800", or its bytes) or NUL (neither can be stored: the database
drivers refuse them), JSON nested too deep (Python's parser would recurse until it fails), more
form fields or files than Django parses, and values that are whole URLs which cannot be parsed
(`http://[::1`). The API answers 400 in its envelope, pages a plain 400.

Django decodes query strings and forms with replacement characters, so only JSON (which Python
decodes with `surrogatepass`) brings surrogates in; the checks cover every source all the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views import defaults

from filmroll.api.envelope import failure
from filmroll.errors import Invalid, TooLarge

# No request body of the API nests deeper than a few levels (a Web Push subscription is 3).
MAX_JSON_DEPTH = 32
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# a value that is nothing but a URL (a scheme or //, no spaces): it must parse
WHOLE_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//\S*")


class Refused(Exception):
    def __init__(self, message: str, status: int = 400, error_type: str = Invalid.error_type):
        super().__init__(message)
        self.message, self.status, self.error_type = message, status, error_type


def check_text(name: str, value: str) -> None:
    """Refuse text that cannot be stored, and a whole URL that cannot be parsed."""
    found = UNSTORABLE.search(value)
    if found:
        what = "NUL characters" if found.group() == "\x00" else "a lone surrogate (not UTF-8)"
        raise Refused(f"{_shown(name)} must not contain {what}")
    stripped = value.strip()
    if WHOLE_URL.fullmatch(stripped):
        try:
            parts = urlsplit(stripped)
            parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        except ValueError:
            raise Refused(f"{_shown(name)} is not a URL that can be parsed") from None


def _shown(name: str) -> str:
    # a name that was itself refused is not echoed back
    return name if not UNSTORABLE.search(name) and len(name) <= 64 else "a field name"


def check_pairs(pairs: Iterable[tuple[str, str]]) -> None:
    for key, value in pairs:
        check_text("a field name", key)
        check_text(key, value)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def check_json(body: bytes) -> None:
    """Parse a JSON body and check every key and string in it, however deep."""
    try:
        data = json.loads(body or b"{}", parse_constant=_refuse_constant)
    except RecursionError:
        raise Refused("the JSON body is nested too deep") from None
    except (ValueError, UnicodeDecodeError):
        raise Refused("the body is not valid JSON") from None
    stack: list[tuple[Any, str, int]] = [(data, "the body", 1)]
    while stack:  # not recursive: depth is what is being checked
        value, name, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise Refused(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                check_text("a field name", key)
                stack.append((item, key if depth == 1 else name, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, name, depth + 1) for item in value)
        elif isinstance(value, str):
            check_text(name, value)


def check_request(request: HttpRequest) -> None:
    if "\x00" in request.path:  # the server has decoded %00 already
        raise Refused("the path must not contain NUL characters")
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            raise Refused("headers must not contain NUL characters")
    check_pairs((k, v) for k, values in request.GET.lists() for v in values)
    if request.content_type == "application/json":
        check_json(request.body)
    elif request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        check_pairs((k, v) for k, values in request.POST.lists() for v in values)
        for _, files in request.FILES.lists():
            for file in files:
                check_text("a file name", file.name or "")


class RefuseMalformedInput:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refused as refused:
            return _answer(request, refused)
        except RequestDataTooBig:
            return _answer(
                request, Refused("the request body is too large", 413, TooLarge.error_type)
            )
        except (TooManyFieldsSent, TooManyFilesSent):
            return _answer(request, Refused("the request has too many fields or files"))
        except MultiPartParserError as error:
            return _answer(request, Refused(f"the multipart body cannot be read: {error}"))
        return self.get_response(request)


def _answer(request: HttpRequest, refused: Refused) -> HttpResponse:
    if request.path.startswith("/api/"):
        return failure(refused.status, refused.error_type, refused.message)
    return defaults.bad_request(request, refused)
