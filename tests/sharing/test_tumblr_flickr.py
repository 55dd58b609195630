"""Sharing to Tumblr and Flickr, against a loopback stand-in of each API (the Loopback server the
other networks' tests use): connecting checks the token and names the account, a photo goes out
once with its caption (Tumblr: an NPF post with the image beside its JSON; Flickr: a multipart
upload signed with OAuth 1.0a, the signature checked by the stand-in as Flickr checks it), and a
revoked token disconnects the account."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from oauthlib.oauth1.rfc5849 import signature

from filmroll.sharing.models import Account, Share
from tests.sharing.test_sharing import multipart
from tests.support.images import png_bytes, upload
from tests.support.personas import make_user
from tests.support.servers import Loopback
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

APP_KEY, APP_SECRET = "flickr-app-key", "flickr-app-secret"
TOKEN, TOKEN_SECRET = "72157-user-token", "user-token-secret"


class Networks:
    """Tumblr (OAuth 2 bearer tokens) and Flickr (OAuth 1.0a, signatures verified)."""

    def __init__(self) -> None:
        self.tumblr_posts: list[tuple[str, dict, bytes]] = []  # (blog, NPF JSON, image)
        self.flickr_uploads: list[dict[str, bytes]] = []
        self.revoked: set[str] = set()
        self.bad_signatures = 0
        self.http = Loopback(self.handle)
        self.url = self.http.url

    def _flickr_signed(self, method: str, path: str, headers, fields: dict[str, str]) -> bool:
        """Flickr's check: HMAC-SHA1 over the method, the URL and every parameter but the
        photo and the signature, under the app's secret and the token's."""
        header = headers.get("Authorization", "")
        oauth = dict(
            signature.collect_parameters(
                headers={"Authorization": header}, exclude_oauth_signature=False
            )
        )
        if oauth.get("oauth_consumer_key") != APP_KEY or oauth.get("oauth_token") != TOKEN:
            return False
        query = urlsplit(path).query
        params = signature.collect_parameters(
            uri_query=query, headers={"Authorization": header}, exclude_oauth_signature=True
        ) + list(fields.items())
        base = signature.signature_base_string(
            method, signature.base_string_uri(f"{self.url}{urlsplit(path).path}"),
            signature.normalize_parameters(params),
        )  # fmt: skip
        key = f"{quote(APP_SECRET, safe='')}&{quote(TOKEN_SECRET, safe='')}".encode()
        wanted = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
        return oauth.get("oauth_signature") == wanted

    def handle(self, method, path, headers, body):
        def answer(status: int, data: dict | str):
            if isinstance(data, str):
                return status, data.encode(), {"Content-Type": "text/xml"}
            return status, json.dumps(data).encode(), {}

        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        if path == "/v2/user/info":
            if bearer != "tumblr-token" or bearer in self.revoked:
                return answer(401, {"meta": {"status": 401, "msg": "Unauthorized"}, "response": []})
            blogs = [
                {"name": "ana-side", "primary": False},
                {"name": "ana-photos", "primary": True},
            ]
            return answer(200, {"meta": {"status": 200, "msg": "OK"},
                                "response": {"user": {"name": "ana", "blogs": blogs}}})  # fmt: skip
        if path.startswith("/v2/blog/") and path.endswith("/posts") and method == "POST":
            if bearer != "tumblr-token" or bearer in self.revoked:
                return answer(401, {"meta": {"status": 401, "msg": "Unauthorized"}, "response": []})
            parts = multipart(headers, body)
            blog = path.split("/")[3]
            self.tumblr_posts.append((blog, json.loads(parts["json"]), parts["photo"]))
            return answer(201, {"meta": {"status": 201, "msg": "Created"},
                                "response": {"id": "1234567891234567", "state": "published"}})  # fmt: skip
        if path.startswith("/services/rest/"):
            if not self._flickr_signed(method, path, headers, {}):
                self.bad_signatures += 1
                return answer(200, {"stat": "fail", "code": 96, "message": "Invalid signature"})
            if TOKEN in self.revoked:
                return answer(200, {"stat": "fail", "code": 98, "message": "Invalid auth token"})
            assert dict(parse_qsl(urlsplit(path).query))["method"] == "flickr.test.login"
            return answer(200, {"stat": "ok", "user": {"id": "12037949754@N01",
                                                       "username": {"_content": "ana on flickr"}}})  # fmt: skip
        if path == "/services/upload/" and method == "POST":
            parts = multipart(headers, body)
            fields = {k: v.decode() for k, v in parts.items() if k != "photo"}
            if not self._flickr_signed(method, path, headers, fields):
                self.bad_signatures += 1
                return answer(
                    200, '<rsp stat="fail"><err code="96" msg="Invalid signature" /></rsp>'
                )
            if TOKEN in self.revoked:
                return answer(
                    200, '<rsp stat="fail"><err code="98" msg="Invalid auth token" /></rsp>'
                )
            self.flickr_uploads.append(parts)
            return answer(200, '<?xml version="1.0" encoding="utf-8" ?>\n'
                               '<rsp stat="ok">\n<photoid>52815123456</photoid>\n</rsp>')  # fmt: skip
        return answer(404, {})


@pytest.fixture
def networks(settings):
    found = Networks()
    settings.FILMROLL = dataclasses.replace(
        settings.FILMROLL, tumblr_api_url=found.url,
        flickr_api_url=f"{found.url}/services/rest/",
        flickr_upload_url=f"{found.url}/services/upload/",
        flickr_api_key=APP_KEY, flickr_api_secret=APP_SECRET,
        callback_allow_networks=("127.0.0.0/8",),
    )  # fmt: skip
    yield found
    found.http.stop()


def connect(api, provider: str, token: str, **extra):
    return api.post(
        "/api/v1/users/self/connections", {"provider": provider, "token": token, **extra}
    )


def connections(api) -> dict[str, dict]:
    return {c["provider"]: c for c in api.get("/api/v1/users/self/connections").json()["data"]}


def test_a_photo_goes_to_tumblr_and_flickr_once(networks):
    _, api = make_user("ana")
    assert connect(api, "tumblr", "tumblr-token").status_code == 201
    made = connect(api, "flickr", TOKEN, token_secret=TOKEN_SECRET)
    assert made.status_code == 201, made.content
    listed = connections(api)
    assert listed["tumblr"]["handle"] == "ana" and listed["flickr"]["handle"] == "ana on flickr"
    assert not Account.objects.filter(token__contains=TOKEN_SECRET).exists()  # sealed at rest
    posted = upload(api, png_bytes((400, 300)), caption="Harbour at dawn\nfog and gulls #sea",
                    share_to="tumblr,flickr")  # fmt: skip
    assert posted.status_code == 201, posted.content
    run_tasks()
    run_tasks()  # nothing is sent twice
    ((blog, npf, image),) = networks.tumblr_posts
    assert blog == "ana-photos"  # the primary blog, as no target was given
    assert npf["state"] == "published"
    assert npf["content"][0]["type"] == "image"
    assert npf["content"][0]["media"][0]["identifier"] == "photo"
    assert npf["content"][1] == {"type": "text", "text": "Harbour at dawn\nfog and gulls #sea"}
    (sent,) = networks.flickr_uploads
    assert sent["title"] == b"Harbour at dawn"
    assert sent["description"] == b"Harbour at dawn\nfog and gulls #sea"
    assert image.startswith(b"\xff\xd8") and sent["photo"].startswith(b"\xff\xd8")
    assert networks.bad_signatures == 0
    assert sorted(Share.objects.values_list("state", "remote_id")) == [
        ("done", "1234567891234567"), ("done", "52815123456")]  # fmt: skip


def test_a_tumblr_target_blog_is_used_and_checked(networks):
    _, api = make_user("ana")
    assert connect(api, "tumblr", "tumblr-token", target="bad blog!").status_code == 400
    not_hers = connect(api, "tumblr", "tumblr-token", target="someone-else")
    assert not_hers.status_code == 400 and "not one of" in not_hers.json()["meta"]["error_message"]
    assert connect(api, "tumblr", "tumblr-token", target="ana-side").status_code == 201
    assert connections(api)["tumblr"]["handle"] == "ana-side"
    upload(api, png_bytes(), caption="", share_to="tumblr")
    run_tasks()
    ((blog, npf, _),) = networks.tumblr_posts
    assert blog == "ana-side" and [c["type"] for c in npf["content"]] == ["image"]


def test_connecting_checks_tokens_secrets_and_setup(networks, settings):
    _, api = make_user("ana")
    refused = connect(api, "tumblr", "wrong-token")
    assert (
        refused.status_code == 400
        and "refused this token" in refused.json()["meta"]["error_message"]
    )
    no_secret = connect(api, "flickr", TOKEN)
    assert (
        no_secret.status_code == 400 and "token_secret" in no_secret.json()["meta"]["error_message"]
    )
    wrong = connect(api, "flickr", TOKEN, token_secret="not the secret")
    assert wrong.status_code == 400 and networks.bad_signatures == 1  # Flickr refused the signature
    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, flickr_api_key="")
    unset = connect(api, "flickr", TOKEN, token_secret=TOKEN_SECRET)
    assert unset.status_code == 400 and "not set up" in unset.json()["meta"]["error_message"]
    assert connections(api) == {}


@pytest.mark.parametrize("provider, token", [("tumblr", "tumblr-token"), ("flickr", TOKEN)])
def test_a_revoked_token_disconnects_the_account(networks, provider, token):
    _, api = make_user("ana")
    extra = {"token_secret": TOKEN_SECRET} if provider == "flickr" else {}
    assert connect(api, provider, token, **extra).status_code == 201
    networks.revoked.add(token)
    upload(api, png_bytes(), caption="after revoking", share_to=provider)
    run_tasks()
    account = connections(api)[provider]
    assert account["active"] is False and "connect the account again" in account["problem"]
    assert Share.objects.get().state == "failed"
    assert networks.tumblr_posts == [] and networks.flickr_uploads == []
