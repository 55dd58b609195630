"""Hostile input over every operation of the OpenAPI table, and over the web pages: text that
cannot be stored (a lone surrogate, NUL), URLs that cannot be parsed, JSON nested 100,000 deep,
more than 1,000 form fields. Each is refused with a 400 before any view runs: in the API's
envelope under /api/, a plain 400 page elsewhere. Never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client

from filmroll.api import openapi
from tests.security.serving import Served
from tests.support.images import png_bytes
from tests.support.personas import make_user

SAMPLE_PATH = {"user_id": "1", "media_id": "1", "comment_id": "1", "location_id": "1",
               "code": "abc", "name": "sunset", "geo_id": "1"}  # fmt: skip
BODY_FIELDS = {"device": ["platform", "token", "subscription"],
               "multipart": ["caption", "filter", "location_id", "share_to"]}  # fmt: skip
DEEP = b"[" * 100_000 + b"]" * 100_000
TOO_DEEP = 64  # deeper than any request needs (wellformed.MAX_JSON_DEPTH)


def _operations() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, URL, body fields, query parameters) of every documented operation."""
    found = []
    for path, method, _summary, _scope, query, body, _data in openapi.OPERATIONS:
        url = "/api/v1" + path.format(**SAMPLE_PATH)
        fields = BODY_FIELDS[body] if isinstance(body, str) else list(body or [])
        found.append((method.upper(), url, fields or ["text"], [q["name"] for q in query] or ["q"]))
    return found


OPERATIONS = _operations()


def _json(fields: list[str], value: str) -> bytes:
    return json.dumps({name: value for name in fields}).encode()  # "\ud800" as JSON's escape


# name -> (content type, body, query string) from (body fields, query parameters)
HOSTILE: dict[str, Callable[[list[str], list[str]], tuple[str, bytes, str]]] = {
    "surrogate as a JSON escape": lambda f, q: ("application/json", _json(f, "caf\ud800"), ""),
    "surrogate as UTF-8 bytes": lambda f, q: (
        "application/json",
        b'{"' + f[0].encode() + b'": "caf\xed\xa0\x80"}',
        "",
    ),
    "surrogate in a JSON key": lambda f, q: ("application/json", b'{"\\udfff": "x"}', ""),
    "surrogate deep in JSON": lambda f, q: (
        "application/json",
        json.dumps({f[0]: [{"a": ["\udc80"]}]}).encode(),
        "",
    ),
    "NUL in JSON": lambda f, q: ("application/json", _json(f, "a\x00b"), ""),
    "unparsable URL in JSON": lambda f, q: ("application/json", _json(f, "http://[::1"), ""),
    "JSON 100,000 deep": lambda f, q: ("application/json", DEEP, ""),
    "JSON deep inside a field": lambda f, q: (
        "application/json",
        b'{"' + f[0].encode() + b'": ' + b"[" * TOO_DEEP + b"]" * TOO_DEEP + b"}",
        "",
    ),
    "NaN in JSON": lambda f, q: ("application/json", b'{"lat": NaN, "lng": Infinity}', ""),
    "1,001 query parameters": lambda f, q: ("", b"", urlencode([(f"p{n}", "1") for n in range(1001)])),
    "NUL in the query": lambda f, q: ("", b"", urlencode({name: "a\x00" for name in q})),
    "unparsable URL in the query": lambda f, q: ("", b"", urlencode({name: "http://[::1" for name in q})),
}  # fmt: skip
FORM_HOSTILE: dict[str, Callable[[list[str]], bytes]] = {
    "1,001 form fields": lambda f: urlencode([(f"p{n}", "1") for n in range(1001)]).encode(),
    "NUL in a form field": lambda f: urlencode({name: "x\x00" for name in f}).encode(),
    "unparsable URL in a form field": lambda f: urlencode({n: " https://[fe80::1 " for n in f}).encode(),
}  # fmt: skip


def _send(client: Client, method: str, url: str, content_type: str, body: bytes, query: str,
          token: str | None):  # fmt: skip
    extra = {"QUERY_STRING": query}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.generic(method, url, body, content_type=content_type or "text/plain", **extra)


def _refused(answer, what: str) -> None:
    assert answer.status_code == 400, (what, answer.status_code, answer.content[:300])
    meta = answer.json()["meta"]
    assert meta == {
        "code": 400,
        "error_type": "APIInvalidParametersError",
        "error_message": meta["error_message"],
    }, what
    assert "Traceback" not in meta["error_message"]


@pytest.mark.parametrize("signed_in", [True, False], ids=["token", "no token"])
def test_every_operation_refuses_hostile_input_in_its_envelope(signed_in):
    token = make_user("fuzz")[1].token if signed_in else None
    client = Client()
    for method, url, fields, params in OPERATIONS:
        for name, make in HOSTILE.items():
            content_type, body, query = make(fields, params)
            _refused(
                _send(client, method, url, content_type, body, query, token), (method, url, name)
            )
        if method == "POST":
            for name, make in FORM_HOSTILE.items():
                answer = _send(client, method, url, "application/x-www-form-urlencoded",
                               make(fields), "", token)  # fmt: skip
                _refused(answer, (method, url, name))


def test_bytes_that_are_not_utf8_never_answer_500():
    """Django reads forms and queries with replacement characters: such text is either stored
    as such or refused by the view, never a crash."""
    _, fuzz = make_user("fuzz")
    client = Client()
    for method, url, fields, params in OPERATIONS:
        query = "&".join(f"{name}=caf%ED%A0%80%FF" for name in params)
        answers = [_send(client, method, url, "", b"", query, fuzz.token)]
        if method == "POST":
            form = "&".join(f"{name}=caf%ED%A0%80%FF" for name in fields).encode()
            answers.append(_send(client, method, url, "application/x-www-form-urlencoded",
                                 form, "", fuzz.token))  # fmt: skip
        for answer in answers:
            assert answer.status_code < 500, (method, url, answer.content[:300])
            meta = answer.json()["meta"]
            assert meta["code"] == answer.status_code
            if answer.status_code >= 400:
                assert meta["error_type"].startswith(("API", "OAuth")), (method, url, meta)


def test_an_upload_with_too_many_fields_is_refused_in_the_envelope():
    _, fuzz = make_user("fuzz")
    fields = {f"f{n}": "1" for n in range(1001)}
    answer = fuzz.client.post(
        "/api/v1/media",
        {"image": _file(), **fields},
        HTTP_AUTHORIZATION=f"Bearer {fuzz.token}",
    )
    _refused(answer, "multipart with 1,001 fields")


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.png", png_bytes(), "image/png")


WEB = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/reset/", "/explore/people/",
       "/settings/", "/p/abc/comment", "/oauth/access_token", "/oauth/token/", "/alice/"]  # fmt: skip


def test_web_pages_answer_a_plain_400_before_any_view_runs():
    client = Client(enforce_csrf_checks=True)
    many = urlencode([(f"p{n}", "1") for n in range(1001)]).encode()
    for url in WEB:
        for content_type, body, query in (
            ("application/json", DEEP, ""),
            ("application/json", json.dumps({"username": "\ud800"}).encode(), ""),
            ("application/x-www-form-urlencoded", many, ""),
            ("application/x-www-form-urlencoded", b"username=al%00ice&password=x", ""),
            ("application/x-www-form-urlencoded", b"website=http://[::1", ""),
            ("", b"", "q=%00"),
        ):
            answer = client.generic("POST", url, body, content_type=content_type or "text/plain",
                                    QUERY_STRING=query)  # fmt: skip
            assert answer.status_code == 400, (url, content_type, body[:40], answer.status_code)
            assert answer["Content-Type"].startswith("text/html"), url
            assert b"<title>Bad request" in answer.content  # the app's own 400 page
    # a NUL the server decoded from the path (%00), which PostgreSQL could not look up
    assert Client().get("/al\x00ice/").status_code == 400


def test_fine_input_still_goes_through():
    """What the checks must not refuse: URLs that parse, text with spaces around a URL-like
    word, nesting a Web Push subscription needs, non-ASCII text."""
    user, alice = make_user("alice")
    edited = alice.post_json(
        "/api/v1/users/self",
        {"bio": "see http://[::1 sometime — café ☕", "website": "https://alice.example:8443/x"},
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["data"]["website"] == "https://alice.example:8443/x"
    nested = alice.post_json(
        "/api/v1/users/self/devices",
        {"platform": "webpush", "subscription": {"endpoint": "https://push.example/1",
                                                 "keys": {"p256dh": "x", "auth": "y"}}},
    )  # fmt: skip
    # refused by the view, for not being the browser's JSON text, not for its nesting
    assert nested.status_code == 400
    assert nested.json()["meta"]["error_message"].startswith("subscription must be")


def test_the_real_server_refuses_raw_hostile_bytes(served: Served):
    """Through Gunicorn: the bytes exactly as an attacker sends them, without a token."""
    deep = served.request(
        "POST", "/api/v1/accounts/login", {"Content-Type": "application/json"}, DEEP
    )
    assert deep.status == 400 and deep.json()["meta"]["error_type"] == "APIInvalidParametersError"
    raw = served.request(
        "POST",
        "/api/v1/accounts/signup",
        {"Content-Type": "application/json"},
        b'{"username": "mallory", "password": "a long passphrase", "email": "m\xed\xa0\x80@x.org"}',
    )
    assert raw.status == 400 and "surrogate" in raw.json()["meta"]["error_message"]
    many = served.request(
        "POST",
        "/api/v1/accounts/login",
        {"Content-Type": "application/x-www-form-urlencoded"},
        "&".join(f"f{n}=1" for n in range(1001)).encode(),
    )
    assert many.status == 400 and many.json()["meta"]["code"] == 400
    query = served.request("GET", "/api/v1/media/filters?q=caf%ED%A0%80%FF")
    assert query.status == 200  # read with replacement characters: nothing to refuse
    page = served.request(
        "POST",
        "/accounts/login/",
        {"Content-Type": "application/json"},
        DEEP,
    )
    assert page.status == 400 and page.header("Content-Type").startswith("text/html")
    bad_url = served.request(
        "POST",
        "/api/v1/subscriptions",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"client_id=a&client_secret=b&object=user&aspect=media&callback_url=http://[::1",
    )
    assert bad_url.status == 400 and "URL" in bad_url.json()["meta"]["error_message"]
