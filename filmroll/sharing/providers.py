"""The networks a photo can be shared to (Mastodon, X, Facebook, Tumblr, Flickr), one small
class each behind one interface:
`whoami(account)` checks a token and names its owner, `post(account, image, caption, key)`
posts and returns the remote ID. Each raises Revoked when the network refuses the token, and
Refused for any other definite "no" (the attempt may be retried). Every request goes through
the outgoing client (filmroll/outgoing.py): a Mastodon instance is any address a person gives."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import Protocol
from urllib.parse import urlencode, urlsplit

import httpx
from django.conf import settings
from oauthlib import oauth1

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


class Tumblr:
    """Tumblr's API v2 with an OAuth 2 token: a photo post in the Neue Post Format, the image
    sent beside the post's JSON in one multipart request, to the blog `target` (the account's
    primary blog when none was given)."""

    idempotent = False

    def _user(self, account: Account) -> dict:
        with _client(account) as client:
            answer = client.get(f"{settings.FILMROLL.tumblr_api_url}/v2/user/info")
        return _check(answer, answer.status_code == 401)["response"]["user"]

    def whoami(self, account: Account) -> str:
        """The blog posts will go to: `target` when it is one of the account's blogs."""
        user = self._user(account)
        if not account.target:
            return user["name"]
        for blog in user.get("blogs", []):
            host = urlsplit(blog.get("url") or "").hostname or ""
            if account.target.lower() in (str(blog.get("name", "")).lower(), host.lower()):
                return account.target
        raise Refused(f"{account.target} is not one of this Tumblr account's blogs")

    def post(self, account: Account, image: bytes, caption: str, key: str) -> str:
        blog = account.target or next(
            (b["name"] for b in self._user(account).get("blogs", []) if b.get("primary")),
            None,
        )
        if not blog:
            raise Refused("the Tumblr account has no primary blog to post to")
        content: list[dict] = [{"type": "image", "media": [{"type": "image/jpeg", "identifier": "photo"}],
                                "alt_text": caption[:4096]}]  # fmt: skip
        if caption:
            content.append({"type": "text", "text": caption[:4096]})
        post = {"content": content, "state": "published"}
        with _client(account) as client:
            answer = client.post(
                f"{settings.FILMROLL.tumblr_api_url}/v2/blog/{blog}/posts",
                files={"json": (None, json.dumps(post), "application/json"),
                       "photo": ("photo.jpg", image, "image/jpeg")},
            )  # fmt: skip
        return str(_check(answer, answer.status_code == 401)["response"]["id"])


class Flickr:
    """Flickr with an OAuth 1.0a token and its secret (the pair sealed together as JSON), each
    request signed with the app's key and secret (FILMROLL_FLICKR_API_KEY and _SECRET): the
    photo goes to the upload API in one multipart request, with its title and description."""

    idempotent = False
    REVOKED = {"98", "99"}  # invalid token; the user has not granted (write) permission

    def _signer(self, account: Account) -> oauth1.Client:
        config = settings.FILMROLL
        pair = json.loads(unseal(account.token))
        return oauth1.Client(config.flickr_api_key, client_secret=config.flickr_api_secret,
                             resource_owner_key=pair["token"],
                             resource_owner_secret=pair["secret"])  # fmt: skip

    def _signed(self, account: Account, method: str, url: str, params: dict) -> dict[str, str]:
        """The Authorization header for a request whose fields (not files) are `params`: Flickr
        signs every field but the photo, in the body or the query alike."""
        _, headers, _ = self._signer(account).sign(
            url, method, body=urlencode(params) if method == "POST" else None,
            headers={"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else None,
        )  # fmt: skip
        return {"Authorization": headers["Authorization"]}

    def whoami(self, account: Account) -> str:
        params = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
        url = f"{settings.FILMROLL.flickr_api_url}?{urlencode(params)}"
        with _client() as client:
            answer = client.get(url, headers=self._signed(account, "GET", url, {}))
        body = _check(answer, answer.status_code == 401)
        if body.get("stat") != "ok":
            if str(body.get("code")) in self.REVOKED:
                raise Revoked(f"{body.get('code')}: {body.get('message')}")
            raise Refused(f"{body.get('code')}: {body.get('message')}")
        return body["user"]["username"]["_content"]

    def post(self, account: Account, image: bytes, caption: str, key: str) -> str:
        url = settings.FILMROLL.flickr_upload_url
        title = caption.split("\n", 1)[0]
        params = {"title": title[:255], "description": caption, "is_public": "1"}
        with _client() as client:
            answer = client.post(
                url, data=params, files={"photo": ("photo.jpg", image, "image/jpeg")},
                headers=self._signed(account, "POST", url, params),
            )  # fmt: skip
        if answer.status_code == 401:
            raise Revoked(f"401: {answer.text[:200]}")
        if answer.status_code >= 300:
            raise Refused(f"{answer.status_code}: {answer.text[:200]}")
        try:  # Flickr's upload API answers in XML only (the outgoing client caps its size)
            rsp = ElementTree.fromstring(answer.content)
        except ElementTree.ParseError:
            raise Refused(f"not Flickr's answer: {answer.text[:200]}") from None
        if rsp.get("stat") != "ok":
            err = rsp.find("err")
            code, why = (err.get("code"), err.get("msg")) if err is not None else ("?", "")
            raise (Revoked if code in self.REVOKED else Refused)(f"{code}: {why}")
        photo_id = rsp.findtext("photoid")
        if not photo_id:
            raise Refused(f"no photo ID in Flickr's answer: {answer.text[:200]}")
        return photo_id.strip()


PROVIDERS: dict[str, Provider] = {
    "mastodon": Mastodon(), "x": X(), "facebook": Facebook(), "tumblr": Tumblr(),
    "flickr": Flickr(),
}  # fmt: skip
