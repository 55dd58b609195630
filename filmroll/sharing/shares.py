"""Sharing photos out: connecting accounts on other networks, and posting a new photo to the
ones its owner ticked, from a task, retried, never twice."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction

from filmroll import outgoing
from filmroll.crypto import seal
from filmroll.errors import Invalid, NotFound
from filmroll.files import storage
from filmroll.media import rows
from filmroll.sharing.models import Account, Share
from filmroll.sharing.providers import PROVIDERS, Refused, Revoked
from filmroll.tasks.dispatch import enqueue

TUMBLR_BLOG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")  # a blog's name or host name


def _secret(provider: str, token: str, token_secret: Any) -> str:
    """What is sealed as the token: Flickr's OAuth 1.0a token goes with its secret."""
    if provider != "flickr":
        return token
    if not settings.FILMROLL.flickr_api_key or not settings.FILMROLL.flickr_api_secret:
        raise Invalid("Flickr is not set up on this server (FILMROLL_FLICKR_API_KEY and _SECRET)")
    if not isinstance(token_secret, str) or not token_secret.strip() or len(token_secret) > 4096:
        raise Invalid("token_secret is required for Flickr: the OAuth 1.0a token's secret")
    return json.dumps({"token": token, "secret": token_secret.strip()})


def _target(provider: str, target: Any) -> str:
    target = target.strip() if isinstance(target, str) and target.strip() else ""
    if provider == "tumblr":
        if target and not TUMBLR_BLOG.match(target):
            raise Invalid("target must be a Tumblr blog's name, or left out for your primary blog")
    elif target and not target.isdigit():
        raise Invalid("target must be a Facebook page ID (digits), or left out for your timeline")
    return target


def connect(
    user_id: int, provider: Any, token: Any, base_url: Any = "", target: Any = "",
    token_secret: Any = None,
) -> Account:  # fmt: skip
    """Connect (or reconnect) an account with a token the app obtained from the network."""
    if not isinstance(provider, str) or provider not in PROVIDERS:
        raise Invalid("provider must be mastodon, x, facebook, tumblr or flickr")
    if not isinstance(token, str) or not token.strip() or len(token) > 4096:
        raise Invalid("access_token is required: the network's OAuth token for the account")
    sealed = seal(_secret(provider, token.strip(), token_secret))
    base_url = (base_url or "").strip().rstrip("/") if isinstance(base_url, str) else ""
    if provider == "mastodon":
        if not base_url:
            raise Invalid(
                "base_url is required for Mastodon: the instance, https://mastodon.social"
            )
        base_url = outgoing.check(base_url, "base_url")  # at once; each request checks again
    target = _target(provider, target)
    account = Account(user_id=user_id, provider=provider, base_url=base_url, target=target,
                      token=sealed)  # fmt: skip
    try:
        account.handle = PROVIDERS[provider].whoami(account)[:200]
    except Revoked:
        raise Invalid(f"{provider} refused this token: sign in to it again") from None
    except (Refused, httpx.HTTPError, KeyError, ValueError) as error:
        raise Invalid(f"{provider} could not be asked who this token belongs to: {error}") from None
    # Reconnecting updates the account in place: its shares (some perhaps pending) stay.
    saved, _ = Account.objects.update_or_create(
        user_id=user_id, provider=provider,
        defaults={"base_url": base_url, "target": target, "token": account.token,
                  "handle": account.handle, "active": True, "problem": ""},
    )  # fmt: skip
    return saved


def disconnect(user_id: int, provider: Any) -> None:
    deleted, _ = Account.objects.filter(user_id=user_id, provider=provider).delete()
    if not deleted:
        raise NotFound(f"no {provider} account is connected")


def accounts_for(user_id: int, raw: Any) -> list[Account]:
    """The accounts `share_to` (comma-separated providers) names; checked before posting."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, str):
        raise Invalid("share_to must be a comma-separated list: mastodon,x,facebook,tumblr,flickr")
    wanted = list(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    found = {a.provider: a for a in Account.objects.filter(user_id=user_id, provider__in=wanted)}
    for provider in wanted:
        account = found.get(provider)
        if account is None or not account.active:
            raise Invalid(f"share_to: no working {provider} account is connected; connect it first")
    return [found[p] for p in wanted]


def share(media_id: int, accounts: list[Account]) -> list[Share]:
    made = []
    for account in accounts:
        item, created = Share.objects.get_or_create(
            media_id=media_id, account=account, defaults={"key": uuid.uuid4().hex}
        )
        if created:
            enqueue("sharing.share", item.id)
        made.append(item)
    return made


def run(share_id: int) -> None:
    """One attempt. Raises for a retry when the network refused or could not be reached."""
    item = Share.objects.select_related("account").filter(id=share_id).first()
    if item is None or item.state in ("done", "failed", "uncertain"):
        return
    account, provider = item.account, PROVIDERS[item.account.provider]
    if not account.active:
        return _end(item, "failed", "the account was disconnected")
    if item.state == "posting" and not provider.idempotent:
        # The last attempt died without an answer: it may have posted. This network takes no
        # idempotency key, so trying again could post twice.
        return _end(item, "uncertain", "an attempt ended without an answer; not repeated")
    media = rows.load_many([item.media_id]).get(item.media_id)
    if media is None:
        return _end(item, "failed", "the photo was deleted")
    largest = max(media.images.values(), key=lambda size: size["width"])
    image = storage.read(largest["key"])
    Share.objects.filter(id=item.id).update(state="posting")
    try:
        remote = provider.post(account, image, media.caption, item.key)
    except Revoked as error:
        with transaction.atomic():
            Account.objects.filter(id=account.id).update(
                active=False,
                problem=f"{account.provider} refused the token ({error}); connect the account again",
            )
            _end(item, "failed", f"the token was refused: {error}")
        return
    except outgoing.Blocked as error:
        return _end(item, "failed", f"not sent: {error}")
    except (Refused, httpx.ConnectError, httpx.ConnectTimeout) as error:
        Share.objects.filter(id=item.id).update(state="pending", error=str(error)[:1000])
        raise  # nothing was posted: the retry is safe
    # Any other error (a read timeout, a dropped connection) leaves the share "posting".
    Share.objects.filter(id=item.id).update(state="done", remote_id=remote[:200], error="")


def _end(item: Share, state: str, why: str) -> None:
    Share.objects.filter(id=item.id).update(state=state, error=why)


def as_json(account: Account) -> dict:
    return {
        "provider": account.provider,
        "handle": account.handle,
        "base_url": account.base_url or None,
        "active": account.active,
        "problem": account.problem or None,
    }
