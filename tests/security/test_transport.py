"""Cookies and HTTPS behind a proxy: a request a trusted proxy says came over HTTPS gets Secure
session and CSRF cookies and Strict-Transport-Security; the same header from anyone else is not
believed; FILMROLL_HTTPS_ONLY makes cookies Secure always and sends plain HTTP to HTTPS, all but
the health checks."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.test import Client

from tests.security.serving import Answer, Served
from tests.support.personas import PASSWORD, make_user

PROXY = "10.20.0.1"
BEHIND_TLS = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_PROTO": "https",
              "HTTP_X_FORWARDED_FOR": "203.0.113.9"}  # fmt: skip


@pytest.fixture
def proxied(settings):
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, trusted_proxies=("10.20.0.0/24",))


def _log_in(client: Client, **extra: str):
    page = client.get("/accounts/login/", **extra)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    referer = "https://testserver/accounts/login/" if extra else "http://testserver/"
    answer = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "alice", "password": PASSWORD},
        HTTP_REFERER=referer,
        **extra,
    )
    return page, answer


def test_behind_a_trusted_proxy_saying_https_cookies_are_secure_with_hsts(proxied):
    make_user("alice")
    page, signed_in = _log_in(Client(), **BEHIND_TLS)
    assert signed_in.status_code == 302, signed_in.content[:300]
    assert page.cookies["csrftoken"]["secure"] is True
    assert signed_in.cookies["sessionid"]["secure"] is True
    assert signed_in.cookies["sessionid"]["httponly"] is True
    for answer in (page, signed_in):
        assert answer["Strict-Transport-Security"] == "max-age=31536000"


def test_over_plain_http_cookies_work_without_secure(proxied):
    make_user("alice")
    page, signed_in = _log_in(Client(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
    assert signed_in.status_code == 302
    assert not page.cookies["csrftoken"]["secure"]
    assert not signed_in.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in signed_in


def test_x_forwarded_proto_from_an_untrusted_peer_is_not_believed(proxied):
    forged = {**BEHIND_TLS, "REMOTE_ADDR": "203.0.113.50"}
    page = Client().get("/accounts/login/", **forged)
    assert not page.cookies["csrftoken"]["secure"]
    assert "Strict-Transport-Security" not in page
    signed = Client().post(
        "/api/v1/accounts/signup",
        {"username": "carol", "password": PASSWORD, "email": "c@example.com"},
        **forged,
    )
    assert signed.json()["data"]["user"]["profile_picture"].startswith("http://")


def test_without_trusted_proxies_no_one_is_believed(settings):
    assert settings.FILMROLL.trusted_proxies == ()
    page = Client().get("/accounts/login/", **BEHIND_TLS)
    assert not page.cookies["csrftoken"]["secure"]
    assert "Strict-Transport-Security" not in page


def _cookies(answer: Answer) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in answer.all("Set-Cookie")}


def test_the_real_server_behind_a_proxy(served: Served):
    over_tls = served.request(
        "GET",
        "/accounts/login/",
        {"X-Forwarded-For": "198.51.100.4", "X-Forwarded-Proto": "https"},
    )
    assert over_tls.status == 200
    assert "; Secure" in _cookies(over_tls)["csrftoken"]
    assert over_tls.header("Strict-Transport-Security") == "max-age=31536000"
    plain = served.request("GET", "/accounts/login/", {"X-Forwarded-For": "198.51.100.4"})
    assert "Secure" not in _cookies(plain)["csrftoken"]
    assert plain.header("Strict-Transport-Security") is None


def test_https_only_redirects_plain_http_but_health_checks(served: Served):
    """A server that trusts no proxy: X-Forwarded-Proto from loopback means nothing to it (nor to
    Gunicorn, which would believe loopback by default)."""
    port = served.start(FILMROLL_HTTPS_ONLY="1", FILMROLL_TRUSTED_PROXIES="")
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        plain = served.request("GET", "/accounts/login/", headers, port=port)
        assert plain.status == 301, headers
        assert plain.header("Location") == "https://127.0.0.1/accounts/login/"
    for path in ("/healthz", "/healthz/deep"):
        assert served.request("GET", path, port=port).status == 200, path
