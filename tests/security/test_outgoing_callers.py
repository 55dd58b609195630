"""Every request filmroll makes on someone's behalf goes through the outgoing client: Web Push
delivery and sharing to Mastodon, against real listeners on loopback that must see nothing
they should not."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from filmroll.push import senders
from filmroll.sharing.models import Share
from tests.support.images import png_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import Recorder, Recorders
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def allow(settings, networks: tuple[str, ...], hosts: tuple[str, ...] = ()):
    """The networks outgoing requests may reach although not public, and names answered
    without DNS."""
    names = {"outgoing_hosts": hosts} if hosts else {}
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, callback_allow_networks=networks, **names
    )


@pytest.fixture
def vapid(settings, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "vapid.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, vapid_private_key=str(tmp_path / "vapid.pem"),
        vapid_subject="mailto:ops@filmroll.test",
    )  # fmt: skip


def subscription(endpoint: str) -> str:
    browser = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    keys = {"p256dh": base64.urlsafe_b64encode(browser).rstrip(b"=").decode(),
            "auth": base64.urlsafe_b64encode(b"sixteen byte sec").rstrip(b"=").decode()}  # fmt: skip
    return json.dumps({"endpoint": endpoint, "keys": keys})


NOTE = senders.Note("filmroll", "bob liked your photo.", "activity-1", {"kind": "like"})


@pytest.fixture
def listeners():
    with Recorders() as make:
        yield make


@pytest.mark.usefixtures("vapid")
def test_web_push_delivers_through_the_checked_client(settings, listeners):
    service = listeners((201, b"", {}))
    allow(settings, ("127.0.0.1/32",), ("push.example=127.0.0.1",))
    senders.webpush(subscription(f"http://push.example:{service.port}/push/tab"), NOTE)
    ((method, path, headers),) = service.seen
    assert (method, path, headers["Host"]) == ("POST", "/push/tab", f"push.example:{service.port}")
    assert headers["Content-Encoding"] == "aes128gcm" and headers["Authorization"].startswith(
        "vapid t="
    )


@pytest.mark.usefixtures("vapid")
def test_web_push_does_not_follow_a_redirect(settings, listeners):
    inside = listeners((201, b"", {}))
    service = listeners((307, b"", {"Location": f"{inside.url}/admin"}))
    allow(settings, ("127.0.0.0/8",))
    with pytest.raises(RuntimeError, match="307"):
        senders.webpush(subscription(f"{service.url}/push/tab"), NOTE)
    assert len(service.seen) == 1 and inside.seen == []


@pytest.mark.usefixtures("vapid")
def test_web_push_refuses_a_name_that_resolves_inside(settings, listeners):
    service = listeners((201, b"", {}))
    allow(settings, (), ("push.example=127.0.0.1",))
    endpoint = f"http://push.example:{service.port}/push/tab"
    with pytest.raises(Exception, match="not public"):
        senders.webpush(subscription(endpoint), NOTE)
    _, api = make_user("alice")
    answer = api.post("/api/v1/users/self/devices",
                      {"platform": "webpush", "subscription": subscription(endpoint)})  # fmt: skip
    assert answer.status_code == 400 and "not public" in answer.json()["meta"]["error_message"]
    assert service.seen == []


class Mastodon(Recorder):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.big = False

    def handle(self, method, path, headers, body):
        self.seen.append((method, path, headers))
        if path == "/api/v1/accounts/verify_credentials":
            padding = " " * (2 * 1024 * 1024) if self.big else ""
            return 200, json.dumps({"acct": "ana@masto.example", "note": padding}).encode(), {}
        if path == "/api/v2/media":
            return 202, b'{"id": "m1"}', {}
        return 200, b'{"id": "100"}', {}


def connect(api, base_url: str):
    return api.post("/api/v1/users/self/connections",
                    {"provider": "mastodon", "token": "masto-token", "base_url": base_url})  # fmt: skip


def test_mastodon_is_checked_again_when_a_photo_is_posted(settings):
    masto = Mastodon()
    try:
        allow(settings, ("127.0.0.0/8",))
        _, api = make_user("ana")
        assert connect(api, masto.url).status_code == 201
        allow(settings, ())  # the instance's address may no longer be reached
        assert upload(api, png_bytes(), caption="hi", share_to="mastodon").status_code == 201
        run_tasks()
        assert [p for _, p, _ in masto.seen] == ["/api/v1/accounts/verify_credentials"]
        share = Share.objects.get()
        assert share.state == "failed" and "not public" in share.error
    finally:
        masto.stop()


def test_a_huge_answer_from_mastodon_is_refused(settings):
    masto = Mastodon()
    masto.big = True
    try:
        allow(settings, ("127.0.0.0/8",))
        _, api = make_user("ana")
        answer = connect(api, masto.url)
        assert answer.status_code == 400 and "larger than" in answer.json()["meta"]["error_message"]
    finally:
        masto.stop()
