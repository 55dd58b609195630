"""Sharing photos out, against one loopback server that answers as Mastodon, the X API v2 and
Facebook's Graph API do: connecting, posting with the photo, retries that never post twice, and
a revoked token disconnecting the account."""

from __future__ import annotations

import dataclasses
import json
import time
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from filmroll.sharing.models import Account, Share
from tests.support.images import png_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import Loopback
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


def multipart(headers, body: bytes) -> dict[str, bytes]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body
    )
    return {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()}  # fmt: skip


class Networks:
    """Mastodon (it honours Idempotency-Key), X and Facebook, with switches for failures."""

    def __init__(self) -> None:
        self.statuses: dict[str, dict] = {}  # Idempotency-Key -> status
        self.status_requests: list[str] = []
        self.tweets: list[dict] = []
        self.photos: list[dict] = []
        self.images: list[bytes] = []
        self.lose_next_status_answer = False  # the status is made, the answer never arrives
        self.fail_next_tweet = False
        self.revoked: set[str] = set()
        self.http = Loopback(self.handle)
        self.url = self.http.url

    def handle(self, method, path, headers, body):
        def answer(status: int, data: dict):
            return status, json.dumps(data).encode(), {}

        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if method == "GET":
            if path == "/api/v1/accounts/verify_credentials":
                if token != "masto-token":
                    return answer(401, {"error": "The access token is invalid"})
                return answer(200, {"id": "1", "acct": "ana@photos.example"})
            if path == "/2/users/me":
                return answer(200, {"data": {"id": "9", "username": "ana_x"}})
            if path.startswith("/v21.0/me?"):
                return answer(200, {"id": "77", "name": "Ana on Facebook"})
            return answer(404, {})
        if path == "/api/v2/media":
            self.images.append(multipart(headers, body)["file"])
            return answer(202, {"id": "m1", "type": "image"})
        if path == "/api/v1/statuses":
            key = headers["Idempotency-Key"]
            self.status_requests.append(key)
            status = self.statuses.setdefault(
                key, {"id": str(100 + len(self.statuses)), **json.loads(body)}
            )
            if self.lose_next_status_answer:
                self.lose_next_status_answer = False
                return None  # made, but the answer never arrives
            return answer(200, status)
        if path == "/2/media/upload":
            parts = multipart(headers, body)
            assert parts["media_category"] == b"tweet_image"
            self.images.append(parts["media"])
            return answer(200, {"data": {"id": "710511363345354753"}})
        if path == "/2/tweets":
            if self.fail_next_tweet:
                self.fail_next_tweet = False
                return answer(503, {"title": "Service Unavailable"})
            self.tweets.append(json.loads(body))
            return answer(201, {"data": {"id": "1445880548472328192", "text": "x"}})
        if path == "/v21.0/me/photos":
            parts = multipart(headers, body)
            if parts["access_token"].decode() in self.revoked:
                return answer(400, {"error": {
                    "message": "Error validating access token: The user has not authorized application.",
                    "type": "OAuthException", "code": 190}})  # fmt: skip
            self.images.append(parts["source"])
            self.photos.append({"caption": parts["caption"].decode()})
            return answer(200, {"id": "5501", "post_id": "77_5501"})
        return answer(404, {})


@pytest.fixture
def networks(settings):
    found = Networks()
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, x_api_url=found.url, facebook_graph_url=found.url,
        callback_allow_networks=("127.0.0.0/8",),
    )  # fmt: skip
    yield found
    found.http.stop()


def connect(api, provider: str, token: str, **extra):
    return api.post(
        "/api/v1/users/self/connections", {"provider": provider, "token": token, **extra}
    )


def connected(networks, api) -> None:
    for provider, token, extra in (("mastodon", "masto-token", {"base_url": networks.url}),
                                   ("x", "x-token", {}), ("facebook", "fb-token", {})):  # fmt: skip
        answer = connect(api, provider, token, **extra)
        assert answer.status_code == 201, answer.content


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        run_tasks()
        time.sleep(0.3)


def test_a_photo_goes_to_every_ticked_network_once(networks):
    _, api = make_user("ana")
    connected(networks, api)
    listed = api.get("/api/v1/users/self/connections").json()["data"]
    assert [(c["provider"], c["handle"], c["active"]) for c in listed] == [
        ("facebook", "Ana on Facebook", True), ("mastodon", "@ana@photos.example", True),
        ("x", "@ana_x", True)]  # fmt: skip
    assert not Account.objects.filter(token__contains="token").exists()  # sealed at rest
    posted = upload(api, png_bytes((400, 300)), caption="harbour at dawn #sea",
                    share_to="mastodon,x,facebook")  # fmt: skip
    assert posted.status_code == 201, posted.content
    run_tasks()
    (status,) = networks.statuses.values()
    assert status["status"] == "harbour at dawn #sea" and status["media_ids"] == ["m1"]
    (tweet,) = networks.tweets
    assert tweet == {"text": "harbour at dawn #sea", "media": {"media_ids": ["710511363345354753"]}}
    assert networks.photos == [{"caption": "harbour at dawn #sea"}]
    assert len(networks.images) == 3 and all(i.startswith(b"\xff\xd8") for i in networks.images)
    assert sorted(Share.objects.values_list("state", "remote_id")) == [
        ("done", "100"), ("done", "1445880548472328192"), ("done", "77_5501")]  # fmt: skip


def test_retries_never_post_twice(networks):
    _, api = make_user("ana")
    connected(networks, api)
    networks.lose_next_status_answer = True  # Mastodon makes the status, the answer is lost
    networks.fail_next_tweet = True  # X refuses once
    upload(api, png_bytes(), caption="twice?", share_to="mastodon,x")
    run_tasks()
    wait_until(lambda: Share.objects.filter(state="done").count() == 2)
    # Mastodon saw the same key twice and made one status; X was asked again after its "no"
    assert len(networks.status_requests) == 2 and len(set(networks.status_requests)) == 1
    assert len(networks.statuses) == 1
    assert len(networks.tweets) == 1


def test_an_unanswered_post_to_a_network_without_keys_is_not_repeated(networks, monkeypatch):
    from filmroll.sharing import providers

    user, api = make_user("ana")
    connected(networks, api)

    def dies(self, account, image, caption, key):
        raise TimeoutError("the connection dropped after sending")

    monkeypatch.setattr(providers.X, "post", dies)
    from filmroll.sharing import shares

    upload(api, png_bytes(), caption="once", share_to="x")
    item = Share.objects.get()
    with pytest.raises(TimeoutError):
        shares.run(item.id)
    shares.run(item.id)  # the retry
    item.refresh_from_db()
    assert item.state == "uncertain" and networks.tweets == []


def test_a_revoked_token_disconnects_the_account_and_says_so(networks):
    _, api = make_user("ana")
    connected(networks, api)
    networks.revoked.add("fb-token")
    upload(api, png_bytes(), caption="to facebook", share_to="facebook")
    run_tasks()
    (account,) = [c for c in api.get("/api/v1/users/self/connections").json()["data"]
                  if c["provider"] == "facebook"]  # fmt: skip
    assert account["active"] is False and "connect the account again" in account["problem"]
    assert Share.objects.get().state == "failed" and networks.photos == []
    again = upload(api, png_bytes(), caption="again", share_to="facebook")
    assert again.status_code == 400 and "connect it first" in again.json()["meta"]["error_message"]
    # Connecting again brings the account back, and keeps what was shared through it.
    networks.revoked.discard("fb-token")
    assert connect(api, "facebook", "fb-token").status_code == 201
    (account,) = [c for c in api.get("/api/v1/users/self/connections").json()["data"]
                  if c["provider"] == "facebook"]  # fmt: skip
    assert account["active"] is True and account["problem"] is None
    assert Share.objects.get().state == "failed"


def test_connecting_checks_the_token_and_the_address(networks, settings):
    _, api = make_user("ana")
    assert connect(api, "myspace", "t").status_code == 400
    refused = connect(api, "mastodon", "wrong", base_url=networks.url)
    assert (
        refused.status_code == 400
        and "refused this token" in refused.json()["meta"]["error_message"]
    )
    assert connect(api, "mastodon", "masto-token").status_code == 400  # no instance given
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, callback_allow_networks=())
    inside = connect(api, "mastodon", "masto-token", base_url=networks.url)
    assert inside.status_code == 400 and "not public" in inside.json()["meta"]["error_message"]
    assert upload(api, png_bytes(), share_to="x").status_code == 400  # nothing connected
    assert api.get("/api/v1/users/self").json()["data"]["counts"]["media"] == 0  # nor posted
    assert api.client.delete("/api/v1/users/self/connections?provider=x",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}").status_code == 400  # fmt: skip
