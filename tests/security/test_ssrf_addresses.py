"""The SSRF address table: every form of an address inside the network that a person could
give filmroll to fetch — as a real-time callback, a Mastodon instance or a Web Push endpoint —
is refused when given, and nothing reaches the listener behind it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from oauth2_provider.models import Application

from filmroll import netaddr
from tests.support.personas import Api, make_user
from tests.support.servers import Recorders

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

INSIDE = [
    # IPv4 loopback, in the forms resolvers read
    "127.0.0.1", "localhost", "2130706433", "0x7f.1", "127.1", "017700000001", "0.0.0.0",
    # private, link-local (cloud metadata), shared (CGNAT)
    "10.1.2.3", "192.168.0.9", "172.16.5.4", "169.254.169.254", "100.64.0.1",
    # IPv6 loopback, link-local, unique local, site-local
    "[::1]", "[::]", "[fe80::1]", "[fd00::1]", "[fec0::1]",
    # IPv6 forms that carry an IPv4 address: mapped, translated, compatible, NAT64, 6to4, Teredo
    "[::ffff:127.0.0.1]", "[::ffff:0:7f00:1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]",
    "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::a00:1]", "[2002:7f00:1::1]",
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
]  # fmt: skip

REFUSED = [
    "127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1%eth0", "fd00::1", "fec0::1", "ff02::1", "::ffff:10.0.0.1",
    "::ffff:0:a00:1", "::7f00:1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::5db8:d822",
    "2002:7f00:1::1", "2002:c0a8:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1",
    "not an address",
]  # fmt: skip
PUBLIC = [
    "93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822",
    "2002:5db8:d822::1",
]  # fmt: skip


def test_the_address_rule():
    assert [a for a in REFUSED if netaddr.reachable(a)] == []
    assert [a for a in PUBLIC if not netaddr.reachable(a)] == []
    # the networks an operator allows, judged by the IPv4 address a form carries too
    assert netaddr.reachable("127.0.0.1", ["127.0.0.0/8"])
    assert netaddr.reachable("64:ff9b::7f00:1", ["127.0.0.0/8"])
    assert not netaddr.reachable("127.0.0.2", ["127.0.0.1/32"])


@pytest.fixture(scope="module")
def listener():
    with Recorders() as make:
        yield make()


def refused(answer) -> bool:
    message = answer.json()["meta"]["error_message"] if answer.status_code == 400 else ""
    return "not public" in message or "does not resolve" in message


@pytest.mark.parametrize("host", INSIDE)
def test_addresses_inside_are_refused_wherever_they_are_given(listener, host):
    url = f"http://{host}:{listener.port}"
    Application.objects.create(
        name="Live", user=make_user("dev")[0], client_id="live-app", client_secret="s3cret",
        client_type=Application.CLIENT_CONFIDENTIAL, redirect_uris="https://app.example/cb",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    )  # fmt: skip
    callback = Api(Client()).post(
        "/api/v1/subscriptions",
        {"client_id": "live-app", "client_secret": "s3cret", "object": "tag",
         "object_id": "sunset", "callback_url": f"{url}/callback", "verify_token": "v"},
    )  # fmt: skip
    _, api = make_user("alice")
    mastodon = api.post(
        "/api/v1/users/self/connections",
        {"provider": "mastodon", "token": "t", "base_url": url},
    )
    push = api.post(
        "/api/v1/users/self/devices",
        {"platform": "webpush", "subscription": json.dumps(
            {"endpoint": f"{url}/push", "keys": {"p256dh": "a", "auth": "b"}})},
    )  # fmt: skip
    assert [refused(a) for a in (callback, mastodon, push)] == [True, True, True], host
    assert listener.seen == []


def test_other_urls_are_refused(listener):
    _, api = make_user("alice")
    for url in (
        "ftp://example.com/x",
        "http://user:pw@example.com/",
        "callback",
        "",
        "http://[::1",
    ):
        answer = api.post(
            "/api/v1/users/self/connections",
            {"provider": "mastodon", "token": "t", "base_url": url},
        )
        assert answer.status_code == 400, url
    assert listener.seen == []
