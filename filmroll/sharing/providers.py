"""The networks a photo can be shared to, one small class each behind one interface:
`whoami(account)` checks a token and names its owner, `post(account, image, caption, key)`
posts and returns the remote ID. Each raises Revoked when the network refuses the token, and
Refused for any other definite "no" (the attempt may be retried). Every request goes through
the outgoing client (filmroll/outgoing.py): a Mastodon instance is any address a person gives."""

from __future__ import annotations

from typing import Protocol

import httpx
from django.conf import settings

from filmroll import outgoing
from filmroll.crypto import unseal
from filmroll.sharing.models import Account

TIMEOUT = httpx.Timeout(20, connect=5)


class Revoked(Exception):
    """The network no longer accepts the account's token."""


class Refused(Exception):
    """The network answered, and not with success: nothing was posted."""


class Provider(Protocol):
    idempotent: bool  # does the network honour our idempotency key?

    def whoami(self, account: Account) -> str: ...
    def post(self, account: Account, image: bytes, caption: str, key: str) -> str: ...


def _check(answer: httpx.Response, revoked: bool) -> dict:
    if revoked:
        raise Revoked(f"{answer.status_code}: {answer.text[:200]}")
    if answer.status_code >= 300:
        raise Refused(f"{answer.status_code}: {answer.text[:200]}")
    return answer.json()


def _client(account: Account | None = None) -> httpx.Client:
    bearer = {"Authorization": f"Bearer {unseal(account.token)}"} if account else {}
    return outgoing.client(timeout=TIMEOUT, headers=bearer)


class Mastodon:
    """Any Mastodon-API instance: media upload, then a status carrying it."""

    idempotent = True

    def whoami(self, account: Account) -> str:
        with _client(account) as client:
            answer = client.get(f"{account.base_url}/api/v1/accounts/verify_credentials")
        return "@" + _check(answer, answer.status_code == 401)["acct"]

    def post(self, account: Account, image: bytes, caption: str, key: str) -> str:
        with _client(account) as client:
            media = client.post(
                f"{account.base_url}/api/v2/media",
                files={"file": ("photo.jpg", image, "image/jpeg")},
                data={"description": caption[:1500]},
            )
            media_id = _check(media, media.status_code == 401)["id"]
            status = client.post(
                f"{account.base_url}/api/v1/statuses",
                json={"status": caption[:500], "media_ids": [media_id], "visibility": "public"},
                headers={"Idempotency-Key": key},
            )
            return str(_check(status, status.status_code == 401)["id"])


class X:
    """The X API v2: media upload, then a post carrying it (an OAuth 2 user token)."""

    idempotent = False

    def whoami(self, account: Account) -> str:
        with _client(account) as client:
            answer = client.get(f"{settings.FILMROLL.x_api_url}/2/users/me")
        return "@" + _check(answer, answer.status_code == 401)["data"]["username"]

    def post(self, account: Account, image: bytes, caption: str, key: str) -> str:
        base = settings.FILMROLL.x_api_url
        with _client(account) as client:
            media = client.post(
                f"{base}/2/media/upload",
                files={"media": ("photo.jpg", image, "image/jpeg")},
                data={"media_category": "tweet_image"},
            )
            media_id = _check(media, media.status_code == 401)["data"]["id"]
            post = client.post(
                f"{base}/2/tweets", json={"text": caption[:280], "media": {"media_ids": [media_id]}}
            )
            return str(_check(post, post.status_code == 401)["data"]["id"])


class Facebook:
    """The Graph API: a photo posted to the user's timeline or a page (`target`)."""

    idempotent = False
    VERSION = "v21.0"

    def _revoked(self, answer: httpx.Response) -> bool:
        try:
            error = answer.json().get("error", {})
        except ValueError:
            return False
        return error.get("code") in (190, 102) or error.get("type") == "OAuthException"

    def whoami(self, account: Account) -> str:
        with _client() as client:
            answer = client.get(
                f"{settings.FILMROLL.facebook_graph_url}/{self.VERSION}/me",
                params={"fields": "id,name", "access_token": unseal(account.token)},
            )
        return _check(answer, answer.status_code >= 400 and self._revoked(answer))["name"]

    def post(self, account: Account, image: bytes, caption: str, key: str) -> str:
        with _client() as client:
            answer = client.post(
                f"{settings.FILMROLL.facebook_graph_url}/{self.VERSION}/{account.target or 'me'}/photos",
                files={"source": ("photo.jpg", image, "image/jpeg")},
                data={"caption": caption, "access_token": unseal(account.token)},
            )
        body = _check(answer, answer.status_code >= 400 and self._revoked(answer))
        return str(body.get("post_id") or body["id"])


PROVIDERS: dict[str, Provider] = {"mastodon": Mastodon(), "x": X(), "facebook": Facebook()}
