"""Input that cannot be stored or parsed is refused before any view runs, on every path
(filmroll/wellformed.py says what that is): the API answers 400 in its envelope, pages a plain
400 (413 for a body too large). Also refused here: more form fields or files than Django parses (it would raise inside a
view), a body over the size limit (413 in the envelope), NUL in the path or a header.

Django decodes query strings and forms with replacement characters, so only JSON (which Python
decodes with `surrogatepass`) brings surrogates in; the checks cover every source all the same.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.views import defaults

from filmroll.api.envelope import failure, is_api
from filmroll.errors import FilmrollError, Invalid, TooLarge
from filmroll.wellformed import check_pairs, check_text, load_json

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def check_request(request: HttpRequest) -> None:
    if "\x00" in request.path:  # the server has decoded %00 already
        raise Invalid("the path must not contain NUL characters")
    if any("\x00" in v for k, v in request.META.items() if k.startswith("HTTP_")):
        raise Invalid("headers must not contain NUL characters")
    # a token is only hashed, never stored: a bad one gets the token's error, not this one
    check_pairs((k, v) for k, vs in request.GET.lists() if k != "access_token" for v in vs)
    if request.content_type == "application/json":
        load_json(request.body or b"{}")
    elif request.method == "POST" and request.content_type in FORMS:
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
        except FilmrollError as error:
            return _answer(request, error)
        except RequestDataTooBig:
            return _answer(request, TooLarge("the request body is too large"))
        except (TooManyFieldsSent, TooManyFilesSent):
            return _answer(request, Invalid("the request has too many fields or files"))
        except MultiPartParserError as error:
            return _answer(request, Invalid(f"the multipart body cannot be read: {error}"))
        return self.get_response(request)


def _answer(request: HttpRequest, error: FilmrollError) -> HttpResponse:
    if is_api(request):
        return failure(error.status, error.error_type, error.message)
    # the reader's language: LocaleMiddleware, after this, has not chosen it yet (left alone,
    # the page would speak whatever the thread's previous request did)
    with translation.override(translation.get_language_from_request(request)):
        if isinstance(error, TooLarge):  # says what went wrong, where 400 says "not understood"
            return render(request, "413.html", status=413)
        return defaults.bad_request(request, error)
