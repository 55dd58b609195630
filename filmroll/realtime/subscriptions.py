"""Real-time subscriptions: apps ask to be told when public photos of a user, a tag, a place or
an area are posted. Matching photos become pending updates; a delivery task POSTs them to the
callback in batches, signed with the app's client secret, until the subscriber acknowledges
them. A subscriber that is down gets everything once it is back; one that keeps failing is
switched off."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from filmroll.crypto import seal, unseal
from filmroll.discovery import writer
from filmroll.errors import Invalid, NotFound
from filmroll.media import tags
from filmroll.places import geo, places
from filmroll.realtime import callbacks
from filmroll.realtime.models import PendingUpdate, Subscription
from filmroll.sharding import ids
from filmroll.tasks.dispatch import enqueue

BATCH = 100
LEASE = timedelta(seconds=120)
MAX_FAILURES = 10  # deliveries in a row, each after a longer wait: about an hour in all


def _object_id(kind: Any, raw: Any) -> str:
    raw = "" if raw is None else str(raw).strip()
    if kind == "user":
        if not raw:
            return ""  # every user who authorized the app
        try:
            return str(ids.parse(raw))
        except ValueError:
            raise Invalid("object_id must be a user ID") from None
    if kind == "tag":
        found = tags.parse(f"#{raw}")
        if len(found) != 1 or found[0] != raw.casefold():
            raise Invalid("object_id must be a tag: letters, digits and _ without the #")
        return found[0]
    if kind == "location":
        return str(places.get(raw)["id"])
    return ""


def verify_callback(url: Any, verify_token: str) -> str:
    """The hub handshake: the callback must echo the challenge. The URL, stripped."""
    url = callbacks.check(url)
    challenge = secrets.token_urlsafe(16)
    query = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        status, answer = callbacks.call(url, "GET", params=query)
    except callbacks.Unreachable as error:
        raise Invalid(f"the callback_url could not be reached: {error}") from None
    if not 200 <= status < 300 or answer.strip() != challenge.encode():
        raise Invalid(
            f"the callback_url answered {status} without echoing hub.challenge: answer the"
            " verification GET with the hub.challenge value as the whole body"
        )
    return url


def create(app: Application, client_secret: str, fields: dict[str, Any]) -> Subscription:
    kind = fields.get("object")
    if kind not in Subscription.OBJECTS:
        raise Invalid("object must be one of user, tag, location, geography")
    if (fields.get("aspect") or "media") != "media":
        raise Invalid("aspect must be media")
    object_id = _object_id(kind, fields.get("object_id"))
    point: tuple[float | None, float | None, float | None] = (None, None, None)
    if kind == "geography":
        lat, lng = geo.check_point(fields.get("lat"), fields.get("lng"))
        point = (lat, lng, geo.check_distance(fields.get("radius")))
    verify_token = fields.get("verify_token") or ""
    if not isinstance(verify_token, str) or len(verify_token) > 200:
        raise Invalid("verify_token must be text of at most 200 characters")
    url = verify_callback(fields.get("callback_url"), verify_token)
    sub = Subscription.objects.create(
        application=app,
        object=kind,
        object_id=object_id,
        callback_url=url,
        latitude=point[0],
        longitude=point[1],
        radius=point[2],
        signing_secret=seal(client_secret),
    )
    if kind == "geography":
        sub.object_id = str(sub.id)
        sub.save(update_fields=["object_id"])
    return sub


def listed(app: Application) -> list[Subscription]:
    return list(Subscription.objects.filter(application=app, active=True).order_by("id"))


def remove(app: Application, sub_id: Any = None, kind: Any = None) -> int:
    """Delete one subscription (`id`), every one of a kind, or all (`object=all`); how many."""
    mine = Subscription.objects.filter(application=app)
    if sub_id not in (None, ""):
        try:
            mine = mine.filter(id=int(sub_id))
        except (TypeError, ValueError):
            raise Invalid("id must be a subscription ID") from None
    elif kind in Subscription.OBJECTS:
        mine = mine.filter(object=kind)
    elif kind != "all":
        raise Invalid("give id=SUBSCRIPTION_ID, or object=all|user|tag|location|geography")
    _, by_model = mine.delete()
    deleted = by_model.get(Subscription._meta.label, 0)
    if sub_id not in (None, "") and not deleted:
        raise NotFound("no such subscription")
    return deleted


def as_json(sub: Subscription) -> dict:
    data: dict[str, Any] = {
        "id": str(sub.id),
        "type": "subscription",
        "object": sub.object,
        "object_id": sub.object_id or None,
        "aspect": sub.aspect,
        "callback_url": sub.callback_url,
    }
    if sub.object == "geography":
        data.update(lat=sub.latitude, lng=sub.longitude, radius=sub.radius)
    return data


def matching(media_id: int) -> list[Subscription]:
    """Active subscriptions a newly posted photo matches (none unless it is public)."""
    found = writer.entries([media_id])
    if not found:
        return []
    entry = found[0]
    wanted = Q(object="user", object_id=str(entry.user_id)) | Q(
        object="tag", object_id__in=entry.tags
    )
    if entry.location_id:
        wanted |= Q(object="location", object_id=str(entry.location_id))
    live = Subscription.objects.filter(active=True)
    result = list(live.filter(wanted))
    # "every user who authorized the app": apps holding a live token of the owner
    authorized = AccessToken.objects.filter(
        user_id=entry.user_id, expires__gt=timezone.now()
    ).values("application_id")
    result += live.filter(object="user", object_id="", application_id__in=authorized)
    if entry.latitude is not None and entry.longitude is not None:
        result += [
            s
            for s in live.filter(object="geography")
            if s.latitude is not None
            and s.longitude is not None
            and s.radius is not None
            and geo.distance(s.latitude, s.longitude, entry.latitude, entry.longitude) <= s.radius
        ]
    return list({s.id: s for s in result}.values())


def media_posted(media_id: int) -> list[int]:
    """Queue an update for each matching subscription and a delivery for it; the subscriptions.
    Safe to run twice: one photo is one update per subscription."""
    posted = ids.millis_of(media_id) // 1000
    subs = matching(media_id)
    for sub in subs:
        try:
            with transaction.atomic():
                PendingUpdate.objects.create(subscription=sub, media_id=media_id, time=posted)
        except IntegrityError:
            continue  # already queued by an earlier run
        enqueue("realtime.deliver", sub.id)
    return [s.id for s in subs]


def sign(body: bytes, secret: str) -> dict[str, str]:
    return {
        "X-Hub-Signature": hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


def _claim(sub: Subscription) -> tuple[str, list[PendingUpdate]]:
    now = timezone.now()
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    lease = secrets.token_hex(16)
    with transaction.atomic():
        ids_ = list(
            PendingUpdate.objects.filter(free, subscription=sub)
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        # Only rows still free are taken: a delivery running beside this one keeps its own.
        PendingUpdate.objects.filter(free, id__in=ids_).update(
            lease=lease, leased_until=now + LEASE
        )
    return lease, list(PendingUpdate.objects.filter(lease=lease).order_by("id"))


def deliver(sub_id: int) -> int:
    """POST the subscription's pending updates in batches; how many were acknowledged. Raises
    callbacks.Unreachable on a failed batch, for the task to be retried with backoff."""
    sub = Subscription.objects.filter(id=sub_id, active=True).first()
    if sub is None:
        return 0
    sent = 0
    while True:
        lease, batch = _claim(sub)
        if not batch:
            return sent
        body = json.dumps(
            [
                {
                    "subscription_id": str(sub.id),
                    "object": sub.object,
                    "object_id": sub.object_id or None,
                    "changed_aspect": "media",
                    "time": u.time,
                    "data": {"media_id": str(u.media_id)},
                }
                for u in batch
            ]
        ).encode()
        try:
            headers = {"Content-Type": "application/json", **sign(body, unseal(sub.signing_secret))}
            status, _ = callbacks.call(sub.callback_url, "POST", body, headers)
            if not 200 <= status < 300:
                raise callbacks.Unreachable(f"the callback answered {status}")
        except (callbacks.Unreachable, ValueError) as error:
            PendingUpdate.objects.filter(lease=lease).update(lease="", leased_until=None)
            _failed(sub)
            raise callbacks.Unreachable(f"subscription {sub.id}: {error}") from None
        PendingUpdate.objects.filter(lease=lease).delete()
        if sub.failures:
            Subscription.objects.filter(id=sub.id).update(failures=0)
            sub.failures = 0
        sent += len(batch)


def _failed(sub: Subscription) -> None:
    sub.failures += 1
    sub.active = sub.failures < MAX_FAILURES
    Subscription.objects.filter(id=sub.id).update(failures=sub.failures, active=sub.active)


def geography(app: Application, raw_id: Any) -> tuple[float, float, float] | None:
    """The point and radius (metres) of one of the app's geography subscriptions."""
    try:
        sub_id = int(raw_id)
    except (TypeError, ValueError):
        return None
    sub = Subscription.objects.filter(id=sub_id, application=app, object="geography").first()
    if sub is None or sub.latitude is None or sub.longitude is None or sub.radius is None:
        return None
    return sub.latitude, sub.longitude, sub.radius
