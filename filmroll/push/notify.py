"""Push notifications for activity (likes, comments, mentions, new followers, follow requests):
devices and preferences, and the sending, from a task, to every device of the user told."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from filmroll import outgoing, wellformed
from filmroll.accounts import users
from filmroll.activity import events
from filmroll.activity.events import KINDS
from filmroll.errors import Invalid, NotFound
from filmroll.feeds import activity
from filmroll.push import senders
from filmroll.push.models import Device, Preferences, Sent

log = logging.getLogger(__name__)

WORDS = {
    "like": "{who} liked your photo.",
    "comment": "{who} commented: {text}",
    "mention": "{who} mentioned you: {text}",
    "follow": "{who} started following you.",
    "follow_request": "{who} asked to follow you.",
    "tag": "{who} tagged you in a photo.",
}


def register(user_id: int, platform: Any, token: Any) -> Device:
    """A device token (APNs, FCM) or a Web Push subscription (JSON with endpoint and keys)."""
    if platform not in Device.PLATFORMS:
        raise Invalid("platform must be apns, fcm or webpush")
    if platform == "webpush":
        token = _subscription(token)
    elif not isinstance(token, str) or not token.strip() or len(token) > 4096:
        raise Invalid("token must be the device token the platform gave the app")
    token = token.strip()
    device, _ = Device.objects.update_or_create(
        platform=platform, token=token, defaults={"user_id": user_id}
    )  # a device that changed hands belongs to whoever registered it last
    return device


def _subscription(raw: Any) -> str:
    if not isinstance(raw, str):
        raw = ""  # refused below, as text that is not the browser's JSON
    try:
        info = wellformed.load_json(raw, "subscription")
        endpoint, keys = info["endpoint"], info["keys"]
        fields = {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}
    except (Invalid, TypeError, KeyError):
        raise Invalid(
            "subscription must be the browser's PushSubscription as JSON:"
            " {endpoint, keys: {p256dh, auth}}"
        ) from None
    if not all(isinstance(v, str) and v for v in (endpoint, keys["p256dh"], keys["auth"])):
        raise Invalid("the subscription's endpoint and keys must be text")
    outgoing.check(endpoint, "endpoint")
    return json.dumps(fields, sort_keys=True)


def unregister(user_id: int, device_id: Any) -> None:
    try:
        deleted, _ = Device.objects.filter(user_id=user_id, id=int(device_id)).delete()
    except (TypeError, ValueError):
        raise Invalid("id must be a device ID") from None
    if not deleted:
        raise NotFound("no such device")


def preferences(user_id: int) -> dict[str, bool]:
    found = Preferences.objects.filter(user_id=user_id).first()
    off = set(found.off) if found else set()
    return {kind: kind not in off for kind in KINDS}


def set_preferences(user_id: int, changes: dict[str, Any]) -> dict[str, bool]:
    current = preferences(user_id)
    for kind in KINDS:
        if kind in changes:
            current[kind] = users.parse_bool(kind, changes[kind])
    Preferences.objects.update_or_create(
        user_id=user_id, defaults={"off": [k for k, on in current.items() if not on]}
    )
    return current


def deliver(user_id: int, event_id: int) -> int:
    """Push one activity event to each of the user's devices not yet sent it; how many took it.
    Devices the service calls gone are forgotten; another failure leaves the rest for the retry."""
    event = events.get(user_id, event_id)
    if event is None or not preferences(user_id).get(event.kind, False):
        return 0  # undone since (an unlike), or turned off
    if not activity.shown(user_id, event):
        return 0  # a block since, or a photo the user may not see
    actor = users.cached([event.actor_id]).get(event.actor_id)
    if actor is None:
        return 0
    note = senders.Note(
        title="filmroll",
        body=WORDS[event.kind].format(who=actor.username, text=(event.text or "")[:120]),
        collapse_id=f"activity-{event_id}",
        data={"kind": event.kind, "event_id": str(event_id),
              **({"media_id": str(event.media_id)} if event.media_id else {})},
    )  # fmt: skip
    done = set(Sent.objects.filter(event_id=event_id).values_list("device_id", flat=True))
    failed: list[str] = []
    sent = 0
    for device in Device.objects.filter(user_id=user_id).exclude(id__in=done):
        try:
            senders.SEND[device.platform](device.token, note)
        except senders.Gone as gone:
            log.info("forgetting %s device %s: %s", device.platform, device.id, gone)
            device.delete()
            continue
        except senders.NotConfigured as error:
            log.warning("%s", error)
            continue
        except Exception as error:  # the next attempt tries this device again
            failed.append(f"{device.platform} device {device.id}: {error}")
            continue
        try:
            with transaction.atomic():
                Sent.objects.create(event_id=event_id, device=device)
        except IntegrityError:
            pass  # a parallel attempt recorded it first
        sent += 1
    if failed:
        raise RuntimeError("; ".join(failed))
    return sent


def vapid_public_key() -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point,
    base64url without padding."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from py_vapid import Vapid

    key = Vapid.from_file(settings.FILMROLL.vapid_private_key).public_key
    raw = key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
