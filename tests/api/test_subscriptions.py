"""Real-time subscriptions against a real callback server on loopback: the hub handshake,
signed batched updates for users, tags, places and areas, a subscriber that is down and comes
back, one that never does, and callback URLs that point inside the network."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from filmroll.media import photos
from filmroll.places import places
from filmroll.realtime import callbacks, subscriptions
from filmroll.realtime.models import PendingUpdate, Subscription
from tests.discovery.test_geo import RENDERED, post_at
from tests.support.personas import Api, make_user
from tests.support.servers import Loopback
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]
SECRET = "the app's client secret, known to it alone"


class Subscriber:
    """A small HTTP server standing in for an app's callback endpoint."""

    def __init__(self) -> None:
        self.posts: list[tuple[bytes, dict]] = []
        self.verifications: list[dict] = []
        self.down = False
        self.echo = True
        self.redirect_to = ""
        self.http = Loopback(self.handle)
        self.server = self.http.server
        self.url = f"{self.http.url}/callback"

    def handle(self, method, path, headers, body):
        if method == "GET":
            query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
            self.verifications.append(query)
            if self.redirect_to:
                return 302, b"", {"Location": self.redirect_to}
            answer = query.get("hub.challenge", "").encode() if self.echo else b"no"
            return 200, answer, {"Content-Type": "text/plain"}
        if self.down:
            return 503, b"", {}
        self.posts.append((body, dict(headers)))
        return 200, b"", {}

    def updates(self) -> list[dict]:
        return [u for body, _ in self.posts for u in json.loads(body)]

    def close(self) -> None:
        self.http.stop()


@pytest.fixture
def subscriber():
    server = Subscriber()
    yield server
    server.close()


@pytest.fixture
def loopback_allowed(settings):
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, callback_allow_networks=("127.0.0.0/8",)
    )


@pytest.fixture
def app():
    owner, _ = make_user("dev")
    return Application.objects.create(
        name="Live",
        user=owner,
        client_id="live-app",
        client_secret=SECRET,  # stored hashed
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://app.example/cb",
    )


def subscribe(url: str, **fields):
    return Api(Client()).post(
        "/api/v1/subscriptions",
        {"client_id": "live-app", "client_secret": SECRET, "aspect": "media",
         "callback_url": url, "verify_token": "vt-123", **fields},
    )  # fmt: skip


def created(answer) -> str:
    assert answer.status_code == 200, answer.content  # as v1 answered
    return answer.json()["data"]["id"]


def wait_for(condition, seconds: float = 30) -> None:
    """Run tasks until `condition()` holds: retries wait out their backoff."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for deliveries"
        run_tasks()
        time.sleep(0.3)


@pytest.mark.usefixtures("loopback_allowed")
def test_matching_public_photos_arrive_signed_and_batched(app, subscriber):
    alice, _ = make_user("alice")
    bob, _ = make_user("bob")
    carol, _ = make_user("carol", private=True)
    pier = places.create(alice.id, places.check("Pier", 48.85, 2.35))
    AccessToken.objects.create(user=bob, application=app, token="bob-live",
                               expires=timezone.now() + timedelta(hours=1))  # fmt: skip
    by_tag = created(subscribe(subscriber.url, object="tag", object_id="Sunset"))
    assert subscriber.verifications[-1]["hub.mode"] == "subscribe"
    assert subscriber.verifications[-1]["hub.verify_token"] == "vt-123"
    by_place = created(subscribe(subscriber.url, object="location", object_id=str(pier)))
    by_user = created(subscribe(subscriber.url, object="user", object_id=str(alice.id)))
    authorized = created(subscribe(subscriber.url, object="user"))
    area = created(subscribe(subscriber.url, object="geography", lat="48.86", lng="2.35",
                             radius="2000"))  # fmt: skip

    first = photos.publish(
        alice.id, RENDERED, "normal", "#sunset over the pier", (pier, 48.85, 2.35)
    )
    hidden = post_at(carol, 48.85, 2.35, "#sunset but private")
    far = post_at(bob, -33.9, 151.2, "#surf")
    run_tasks()
    wait_for(lambda: len(subscriber.updates()) >= 5)
    run_tasks()

    got = {(u["subscription_id"], u["data"]["media_id"]) for u in subscriber.updates()}
    assert got == {(by_tag, str(first)), (by_place, str(first)), (by_user, str(first)),
                   (area, str(first)), (authorized, far)}  # fmt: skip
    assert hidden not in {u["data"]["media_id"] for u in subscriber.updates()}
    assert len(subscriber.updates()) == 5  # each once
    sample = next(u for u in subscriber.updates() if u["subscription_id"] == by_tag)
    assert sample["object"] == "tag" and sample["object_id"] == "sunset"
    assert sample["changed_aspect"] == "media" and isinstance(sample["time"], int)
    for body, headers in subscriber.posts:
        assert (
            headers["X-Hub-Signature"] == hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
        )
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Hub-Signature-256"] == expected
    assert not PendingUpdate.objects.exists()

    listed = Api(Client()).get("/api/v1/subscriptions", client_id="live-app", client_secret=SECRET)
    assert [s["id"] for s in listed.json()["data"]] == [by_tag, by_place, by_user, authorized, area]
    gone = Api(Client()).client.delete(
        f"/api/v1/subscriptions?client_id=live-app&client_secret={SECRET}&id={by_tag}"
    )
    assert gone.status_code == 200
    everything = Api(Client()).client.delete(
        f"/api/v1/subscriptions?client_id=live-app&client_secret={SECRET}&object=all"
    )
    assert everything.status_code == 200 and not Subscription.objects.exists()


@pytest.mark.usefixtures("loopback_allowed")
def test_a_subscriber_that_is_down_then_up_gets_every_update_once(app, subscriber):
    alice, _ = make_user("alice")
    created(subscribe(subscriber.url, object="user", object_id=str(alice.id)))
    subscriber.down = True
    posted = [post_at(alice, None, None, f"photo {n}") for n in range(3)]
    run_tasks()
    assert subscriber.posts == [] and PendingUpdate.objects.count() == 3
    assert Subscription.objects.get().failures >= 1
    subscriber.down = False
    wait_for(lambda: len(subscriber.updates()) >= 3)
    later = post_at(alice, None, None, "after the outage")
    wait_for(lambda: len(subscriber.updates()) >= 4)
    time.sleep(3)  # any retry still scheduled finds nothing left to send
    run_tasks()
    sent = [u["data"]["media_id"] for u in subscriber.updates()]
    assert sorted(sent) == sorted([*posted, later])
    assert Subscription.objects.get().failures == 0


@pytest.mark.usefixtures("loopback_allowed")
def test_a_subscriber_that_keeps_failing_is_switched_off(app, subscriber, monkeypatch):
    monkeypatch.setattr(subscriptions, "MAX_FAILURES", 2)
    alice, _ = make_user("alice")
    sub_id = int(created(subscribe(subscriber.url, object="user", object_id=str(alice.id))))
    subscriber.down = True
    post_at(alice, None, None, "into the void")
    wait_for(lambda: not Subscription.objects.get().active)
    assert Subscription.objects.get().failures == 2
    subscriber.down = False
    assert subscriptions.deliver(sub_id) == 0  # switched off: nothing more is tried
    assert subscriber.posts == [] and PendingUpdate.objects.count() == 1
    assert subscriptions.matching(int(post_at(alice, None, None, "again"))) == []


@pytest.mark.usefixtures("loopback_allowed")
def test_the_callback_must_echo_the_challenge(app, subscriber):
    subscriber.echo = False
    answer = subscribe(subscriber.url, object="tag", object_id="sunset")
    assert answer.status_code == 400 and "hub.challenge" in answer.json()["meta"]["error_message"]
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("loopback_allowed")
def test_redirects_are_not_followed(app, subscriber):
    inner = Subscriber()
    try:
        subscriber.redirect_to = inner.url
        answer = subscribe(subscriber.url, object="tag", object_id="sunset")
        assert answer.status_code == 400
        assert inner.verifications == [] and not Subscription.objects.exists()
    finally:
        inner.close()


def test_bad_app_credentials_and_bad_fields(app, subscriber):
    wrong = Api(Client()).post("/api/v1/subscriptions", {"client_id": "live-app",
                                                         "client_secret": "guess"})  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["meta"]["error_type"] == "OAuthException"
    for fields in ({"object": "weather"}, {"object": "tag", "object_id": "two words"},
                   {"object": "geography", "lat": "91", "lng": "0"},
                   {"object": "location", "object_id": "999"}):  # fmt: skip
        answer = subscribe(subscriber.url, **fields)
        assert answer.status_code in (400, 404), (fields, answer.content)
    assert subscriber.verifications == []


def test_delivery_checks_the_address_again(app, subscriber, settings, loopback_allowed):
    alice, _ = make_user("alice")
    sub_id = int(created(subscribe(subscriber.url, object="user", object_id=str(alice.id))))
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, callback_allow_networks=())
    post_at(alice, None, None, "hello")
    run_tasks()
    with pytest.raises(callbacks.Unreachable):
        subscriptions.deliver(sub_id)
    assert subscriber.posts == [] and PendingUpdate.objects.count() == 1
