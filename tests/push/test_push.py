"""Push notifications against loopback stand-ins that speak each service's protocol: APNs over
HTTP/2 with TLS checking the ES256 provider token, FCM HTTP v1 with its service-account token
exchange, and a Web Push service that checks VAPID and decrypts the payload like a browser."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import threading
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk, jwt

from filmroll.activity import events
from filmroll.push import notify, senders
from filmroll.push.models import Device, Sent
from tests.support.images import png_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import Loopback, free_port, self_signed, wait_port
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- APNs: HTTP/2 over TLS (hypercorn), checking the provider token -------------------------


class Apns:
    def __init__(self, tmp_path, team: str, key_id: str, public_key) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        self.cert, self.key = self_signed(tmp_path / "apns")
        verifier = jwk.JWK.from_pyca(public_key)
        me = self

        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            headers = {k.decode(): v.decode() for k, v in scope["headers"]}
            token = jwt.JWT(jwt=headers["authorization"].removeprefix("bearer "), key=verifier)
            claims = json.loads(token.claims)
            assert json.loads(token.header)["kid"] == key_id and claims["iss"] == team
            device = scope["path"].removeprefix("/3/device/")
            me.received.append({"http": scope["http_version"], "device": device,
                                "headers": headers, "payload": json.loads(body)})  # fmt: skip
            status, answer = 200, b""
            if device.startswith("gone"):
                status, answer = 410, b'{"reason":"Unregistered"}'
            elif me.fail_next:
                me.fail_next -= 1
                status, answer = 503, b'{"reason":"ServiceUnavailable"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"apns-id", b"6a6e2b52-0000-4000-8000-000000000000")],
                }
            )
            await send({"type": "http.response.body", "body": answer})  # fmt: skip

        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = ["127.0.0.1:0"]
        config.certfile, config.keyfile = str(self.cert), str(self.key)
        config.alpn_protocols = ["h2"]
        self.port = free_port()
        config.bind = [f"127.0.0.1:{self.port}"]
        self.loop = asyncio.new_event_loop()
        self.stopped = asyncio.Event()

        async def main():
            await serve(app, config, shutdown_trigger=self.stopped.wait)

        self.thread = threading.Thread(
            target=lambda: self.loop.run_until_complete(main()), daemon=True
        )
        self.thread.start()
        wait_port(self.port)
        self.url = f"https://localhost:{self.port}"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(5)


# --- FCM and Web Push: plain HTTP stand-ins ----------------------------------------------


class Fcm:
    def __init__(self, tmp_path) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        verifier = jwk.JWK.from_pyca(key.public_key())

        def handle(method, path, headers, body):
            if path == "/token":
                form = dict(p.split("=", 1) for p in body.decode().split("&"))
                assert form["grant_type"] == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                claims = json.loads(jwt.JWT(jwt=form["assertion"], key=verifier).claims)
                assert claims["iss"] == "pusher@filmroll-test.iam.gserviceaccount.com"
                assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
                return (
                    200,
                    b'{"access_token":"ya29.fcm-token","expires_in":3599,"token_type":"Bearer"}',
                    {},
                )
            assert path == "/v1/projects/filmroll-test/messages:send"
            assert headers["Authorization"] == "Bearer ya29.fcm-token"
            message = json.loads(body)["message"]
            self.received.append(message)
            if message["token"].startswith("gone"):
                error = {"error": {"code": 404, "status": "NOT_FOUND", "details": [
                    {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                     "errorCode": "UNREGISTERED"}]}}  # fmt: skip
                return 404, json.dumps(error).encode(), {}
            if self.fail_next:
                self.fail_next -= 1
                return 503, b'{"error":{"code":503,"status":"UNAVAILABLE"}}', {}
            return 200, b'{"name":"projects/filmroll-test/messages/0:1"}', {}

        self.http = Loopback(handle)
        self.credentials = tmp_path / "fcm.json"
        self.credentials.write_text(json.dumps({
            "type": "service_account", "project_id": "filmroll-test", "private_key_id": "k1",
            "private_key": pem(key).decode(), "client_email": "pusher@filmroll-test.iam.gserviceaccount.com",
            "token_uri": f"{self.http.url}/token",
        }))  # fmt: skip


class Browser:
    """A browser's push subscription (its own P-256 key and auth secret) and the push service
    behind its endpoint, which checks VAPID and decrypts what arrives."""

    def __init__(self, vapid_public) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = b"sixteen byte sec"
        self.received: list[dict] = []
        vapid = jwk.JWK.from_pyca(vapid_public)

        def handle(method, path, headers, body):
            scheme, _, params = headers["Authorization"].partition(" ")
            assert scheme == "vapid"
            fields = dict(p.strip().split("=", 1) for p in params.split(","))
            claims = json.loads(jwt.JWT(jwt=fields["t"], key=vapid).claims)
            assert claims["aud"] == self.http.url and claims["sub"] == "mailto:ops@filmroll.test"
            if path.endswith("/gone"):
                return 410, b"", {}
            assert headers["Content-Encoding"] == "aes128gcm" and headers["TTL"]
            plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth)
            self.received.append({"topic": headers.get("Topic"), **json.loads(plain)})
            return 201, b"", {}

        self.http = Loopback(handle)

    def subscription(self, name: str) -> str:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return json.dumps({"endpoint": f"{self.http.url}/push/{name}",
                           "keys": {"p256dh": b64(public), "auth": b64(self.auth)}})  # fmt: skip


@pytest.fixture
def services(tmp_path, settings):
    apns_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "apns.p8").write_bytes(pem(apns_key))
    vapid_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "vapid.pem").write_bytes(pem(vapid_key))
    apns = Apns(tmp_path, "TEAM123456", "KEY1234567", apns_key.public_key())
    fcm = Fcm(tmp_path)
    browser = Browser(vapid_key.public_key())
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL,
        apns_key_file=str(tmp_path / "apns.p8"), apns_key_id="KEY1234567",
        apns_team_id="TEAM123456", apns_topic="org.filmroll.app", apns_url=apns.url,
        fcm_credentials=str(fcm.credentials), fcm_url=fcm.http.url,
        vapid_private_key=str(tmp_path / "vapid.pem"), vapid_subject="mailto:ops@filmroll.test",
        push_ca_file=str(apns.cert), callback_allow_networks=("127.0.0.0/8",),
    )  # fmt: skip
    senders._client.cache_clear()
    senders._apns_token.clear()
    senders._fcm_token.clear()
    yield apns, fcm, browser
    senders._client.cache_clear()
    apns.stop()
    fcm.http.stop()
    browser.http.stop()


def register(api, platform: str, value: str):
    field = "subscription" if platform == "webpush" else "token"
    answer = api.post("/api/v1/users/self/devices", {"platform": platform, field: value})
    assert answer.status_code == 201, answer.content
    return answer.json()["data"]["id"]


def test_a_like_reaches_every_device_once_and_gone_ones_are_forgotten(services):
    apns, fcm, browser = services
    alice, alice_api = make_user("alice")
    _, bob_api = make_user("bob")
    register(alice_api, "apns", "a1b2c3")
    register(alice_api, "apns", "gone-apns")
    register(alice_api, "fcm", "fcm-phone")
    register(alice_api, "fcm", "gone-fcm")
    register(alice_api, "webpush", browser.subscription("tab"))
    register(alice_api, "webpush", browser.subscription("gone"))
    media_id = upload(alice_api, png_bytes()).json()["data"]["id"]
    run_tasks()
    bob_api.post(f"/api/v1/media/{media_id}/likes")
    run_tasks()

    (sent,) = [r for r in apns.received if r["device"] == "a1b2c3"]
    assert sent["http"] == "2"  # HTTP/2, as APNs requires
    assert sent["headers"]["apns-topic"] == "org.filmroll.app"
    assert sent["headers"]["apns-push-type"] == "alert"
    assert sent["payload"]["aps"]["alert"]["body"] == "bob liked your photo."
    assert sent["payload"]["media_id"] == media_id
    (message,) = [m for m in fcm.received if m["token"] == "fcm-phone"]
    assert message["notification"]["body"] == "bob liked your photo."
    assert message["android"]["collapse_key"] == sent["headers"]["apns-collapse-id"]
    (shown,) = browser.received
    assert shown["body"] == "bob liked your photo." and shown["kind"] == "like"
    kept = {t if p != "webpush" else json.loads(t)["endpoint"]
            for p, t in Device.objects.values_list("platform", "token")}  # fmt: skip
    assert kept == {"a1b2c3", "fcm-phone", f"{browser.http.url}/push/tab"}


def test_a_retry_sends_only_what_failed(services):
    apns, fcm, browser = services
    alice, alice_api = make_user("alice")
    _, bob_api = make_user("bob")
    register(alice_api, "apns", "a1b2c3")
    register(alice_api, "fcm", "fcm-phone")
    register(alice_api, "webpush", browser.subscription("tab"))
    fcm.fail_next = 1
    bob_api.post(f"/api/v1/users/{alice.id}/relationship", {"action": "follow"})
    run_tasks()  # the first attempt: FCM answers 503, the task is retried after a backoff
    assert len(fcm.received) == 1 and Sent.objects.count() == 2
    deadline = time.monotonic() + 30
    while Sent.objects.count() < 3:
        assert time.monotonic() < deadline, "the retry did not come"
        time.sleep(0.3)
        run_tasks()

    (event,) = events.page(alice.id, None, 10)
    assert notify.deliver(alice.id, event.id) == 0  # nothing is sent twice
    assert len(apns.received) == 1 and len(browser.received) == 1
    assert [m["notification"]["body"] for m in fcm.received] == ["bob started following you."] * 2


def test_preferences_turn_kinds_off(services):
    apns, _, _ = services
    alice, alice_api = make_user("alice")
    _, bob_api = make_user("bob")
    register(alice_api, "apns", "a1b2c3")
    answer = alice_api.post("/api/v1/users/self/push", {"like": "false"})
    assert answer.json()["data"] == {"like": False, "comment": True, "mention": True,
                                     "follow": True, "follow_request": True,
                                     "tag": True}  # fmt: skip
    media_id = upload(alice_api, png_bytes()).json()["data"]["id"]
    run_tasks()
    bob_api.post(f"/api/v1/media/{media_id}/likes")
    bob_api.post(f"/api/v1/media/{media_id}/comments", {"text": "what light @alice"})
    run_tasks()
    bodies = [r["payload"]["aps"]["alert"]["body"] for r in apns.received]
    assert bodies == [
        "bob commented: what light @alice"
    ]  # no like; the owner is not "mentioned" too


def test_device_registration_is_checked(services):
    _, alice_api = make_user("alice")
    bad = [
        {"platform": "pager", "token": "x"},
        {"platform": "apns", "token": ""},
        {"platform": "webpush", "subscription": "{}"},
        {"platform": "webpush", "subscription": json.dumps(
            {"endpoint": "http://10.0.0.8/push", "keys": {"p256dh": "a", "auth": "b"}})},
        {"platform": "apns", "token": "abc", "subscription": "{}"},
    ]  # fmt: skip
    for fields in bad:
        assert alice_api.post("/api/v1/users/self/devices", fields).status_code == 400, fields
    device = register(alice_api, "apns", "a1b2c3")
    listed = alice_api.get("/api/v1/users/self/devices").json()["data"]
    assert [d["id"] for d in listed] == [device]
    _, bob_api = make_user("bob")
    assert bob_api.client.delete(f"/api/v1/users/self/devices?id={device}",
                                 HTTP_AUTHORIZATION=f"Bearer {bob_api.token}").status_code == 400  # fmt: skip
    assert alice_api.client.delete(f"/api/v1/users/self/devices?id={device}",
                                   HTTP_AUTHORIZATION=f"Bearer {alice_api.token}").status_code == 200  # fmt: skip
    key = alice_api.get("/api/v1/push/vapid").json()["data"]["public_key"]
    assert len(unb64(key)) == 65 and unb64(key)[0] == 4  # an uncompressed P-256 point
