"""The three push services, one function each: send one notification to one device. Each
returns normally when the service took it, raises Gone when the service says the device or
subscription is no more (the caller forgets it), and any other error to be retried.

A notification carries a collapse ID (the event's): should a retry ever repeat a delivery the
service already took, the device shows it once."""

from __future__ import annotations

import functools
import json
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from jwcrypto import jwk, jwt

from filmroll import outgoing


class Gone(Exception):
    """The push service no longer knows this device (uninstalled, token expired)."""


class NotConfigured(Exception):
    """This platform's credentials are not set (see docs/configuration.md)."""


@dataclass(frozen=True)
class Note:
    title: str
    body: str
    collapse_id: str
    data: dict[str, str]


def _context() -> ssl.SSLContext:
    """httpx's CAs, and FILMROLL_PUSH_CA_FILE's (private test servers)."""
    context = httpx.create_ssl_context()
    if settings.FILMROLL.push_ca_file:
        context.load_verify_locations(settings.FILMROLL.push_ca_file)
    return context


@functools.cache
def _client(http2: bool) -> httpx.Client:
    # one client per process: APNs requests share one HTTP/2 connection, as Apple asks
    return httpx.Client(http2=http2, verify=_context(), timeout=10)


# --- APNs: HTTP/2, token-based authentication (an ES256 JWT, renewed every 50 minutes) ----


_apns_token: dict[str, tuple[float, str]] = {}


def _apns_jwt() -> str:
    config = settings.FILMROLL
    made = _apns_token.get(config.apns_key_id)
    if made and time.time() - made[0] < 50 * 60:
        return made[1]
    key = jwk.JWK.from_pem(Path(config.apns_key_file).read_bytes())
    token = jwt.JWT(
        header={"alg": "ES256", "kid": config.apns_key_id},
        claims={"iss": config.apns_team_id, "iat": int(time.time())},
    )
    token.make_signed_token(key)
    _apns_token[config.apns_key_id] = (time.time(), token.serialize())
    return _apns_token[config.apns_key_id][1]


def apns(device_token: str, note: Note) -> None:
    config = settings.FILMROLL
    if not config.apns_key_file:
        raise NotConfigured("APNs is not configured: set FILMROLL_APNS_KEY_FILE and the rest")
    payload = {"aps": {"alert": {"title": note.title, "body": note.body}, "sound": "default"},
               **note.data}  # fmt: skip
    answer = _client(http2=True).post(
        f"{config.apns_url}/3/device/{device_token}",
        content=json.dumps(payload),
        headers={
            "authorization": f"bearer {_apns_jwt()}",
            "apns-topic": config.apns_topic,
            "apns-push-type": "alert",
            "apns-collapse-id": note.collapse_id,
        },
    )
    if answer.status_code == 200:
        return
    reason = _json(answer).get("reason", "")
    if answer.status_code == 410 or reason in (
        "BadDeviceToken",
        "Unregistered",
        "DeviceTokenNotForTopic",
    ):
        raise Gone(reason or "Unregistered")
    raise RuntimeError(f"APNs answered {answer.status_code} {reason}")


# --- Firebase Cloud Messaging, HTTP v1: a service account's JWT traded for an access token ---


_fcm_token: dict[str, tuple[float, str]] = {}


def _fcm_account() -> dict:
    return json.loads(Path(settings.FILMROLL.fcm_credentials).read_text())


def _fcm_access_token(account: dict) -> str:
    made = _fcm_token.get(account["client_email"])
    if made and made[0] > time.time() + 60:
        return made[1]
    now = int(time.time())
    assertion = jwt.JWT(
        header={"alg": "RS256", "typ": "JWT", "kid": account.get("private_key_id", "")},
        claims={"iss": account["client_email"], "aud": account["token_uri"], "iat": now,
                "exp": now + 3600, "scope": "https://www.googleapis.com/auth/firebase.messaging"},
    )  # fmt: skip
    assertion.make_signed_token(jwk.JWK.from_pem(account["private_key"].encode()))
    answer = _client(http2=False).post(
        account["token_uri"],
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
              "assertion": assertion.serialize()},
    )  # fmt: skip
    answer.raise_for_status()
    body = answer.json()
    _fcm_token[account["client_email"]] = (now + body.get("expires_in", 3600), body["access_token"])
    return body["access_token"]


def fcm(device_token: str, note: Note) -> None:
    if not settings.FILMROLL.fcm_credentials:
        raise NotConfigured("FCM is not configured: set FILMROLL_FCM_CREDENTIALS")
    account = _fcm_account()
    message = {
        "message": {
            "token": device_token,
            "notification": {"title": note.title, "body": note.body},
            "data": note.data,
            "android": {"collapse_key": note.collapse_id},
            "apns": {"headers": {"apns-collapse-id": note.collapse_id}},
        }
    }
    answer = _client(http2=False).post(
        f"{settings.FILMROLL.fcm_url}/v1/projects/{account['project_id']}/messages:send",
        json=message,
        headers={"Authorization": f"Bearer {_fcm_access_token(account)}"},
    )
    if answer.status_code == 200:
        return
    error = _json(answer).get("error", {})
    codes = {d.get("errorCode") for d in error.get("details", []) if isinstance(d, dict)}
    if "UNREGISTERED" in codes or (answer.status_code == 400 and "INVALID_ARGUMENT" in codes):
        raise Gone(", ".join(sorted(c for c in codes if c)))
    raise RuntimeError(f"FCM answered {answer.status_code} {error.get('status', '')}")


# --- Web Push: VAPID, the payload encrypted for the browser (aes128gcm) -------------------


def webpush(subscription: str, note: Note) -> None:
    """pywebpush encrypts the payload and py_vapid signs the VAPID token; the request goes out
    through the outgoing client, since the endpoint is an address the user gave (public
    addresses only, checked where the connection is made, no redirects)."""
    from py_vapid import Vapid
    from pywebpush import WebPusher

    config = settings.FILMROLL
    if not config.vapid_private_key:
        raise NotConfigured("Web Push is not configured: set FILMROLL_VAPID_PRIVATE_KEY")
    info = json.loads(subscription)
    payload = json.dumps({"title": note.title, "body": note.body, **note.data}).encode()
    body = WebPusher(info).encode(payload, "aes128gcm")["body"]
    endpoint = urlsplit(info["endpoint"])
    vapid = Vapid.from_file(config.vapid_private_key).sign({
        "sub": config.vapid_subject,
        "aud": f"{endpoint.scheme}://{endpoint.netloc}",
        "exp": int(time.time()) + 12 * 3600,
    })  # fmt: skip
    headers = {**vapid, "Content-Encoding": "aes128gcm", "TTL": str(24 * 3600),
               "Topic": note.collapse_id[:32], "Urgency": "normal"}  # fmt: skip
    with outgoing.client(verify=_context()) as client:
        answer = client.post(info["endpoint"], content=body, headers=headers)
    if answer.status_code in (404, 410):
        raise Gone(f"the subscription answered {answer.status_code}")
    if not 200 <= answer.status_code <= 202:
        raise RuntimeError(f"Web Push failed: {answer.status_code} {answer.text[:200]}")


def _json(answer: httpx.Response) -> dict:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


SEND = {"apns": apns, "fcm": fcm, "webpush": webpush}
