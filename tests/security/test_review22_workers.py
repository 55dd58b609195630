"""Review of issue 22's per-process caches, as an attacker meets them on a real install: two
Gunicorn workers, each with its own memory (the object cache's kept entries, multiget's decoded
values, media fragments, kept cards and headers), one memcached between them. One worker is
warmed, the state changes through the other, and the first must show the change at once: a
private account, a block, a mute, a deleted photo, a content warning, an unlike, a revoked
token; and again after memcached is flushed or restarted (its versions start over)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections import OrderedDict
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from oauth2_provider.models import AccessToken

from filmroll import multiget, objcache
from filmroll.accounts import tokens
from filmroll.api import fragments
from filmroll.web import cards
from filmroll.web.kept import Kept
from filmroll.web.templatetags import filmroll as tags
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import Api, make_user
from tests.support.servers import free_port, use_object_cache, wait_port
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

# Every per-process memory issue 22 added or relies on: (module, attribute, a new empty one).
MEMORIES = [
    (objcache, "_kept", dict),
    (multiget, "_decoded", dict),
    (multiget, "_server_of", dict),
    (fragments, "_kept", OrderedDict),
    (cards, "_kept", lambda: Kept(cards.KEPT)),
    (tags, "_headers", lambda: Kept(1024)),
    (tags, "_footers", lambda: Kept(1024)),
    (tags, "_links", lambda: Kept(8)),
]


class Workers:
    """`with workers("a"):` runs requests as worker "a" would: with a's own memories."""

    def __init__(self) -> None:
        self._memories: dict[str, list] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        mine = self._memories.setdefault(name, [make() for _, _, make in MEMORIES])
        before = [getattr(module, attr) for module, attr, _ in MEMORIES]
        for (module, attr, _), memory in zip(MEMORIES, mine, strict=True):
            setattr(module, attr, memory)
        try:
            yield
        finally:
            for (module, attr, _), memory in zip(MEMORIES, before, strict=True):
                setattr(module, attr, memory)

    def kept(self, name: str) -> int:
        """How many object cache entries worker `name` keeps (the attacks must meet some)."""
        return len(self._memories[name][0])


class Memcached:
    """A memcached of the test's own on a fixed port, which the test can restart (empty)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("memcached")
        assert binary, "these tests need the memcached binary on PATH"
        self.process = subprocess.Popen(
            [binary, "-l", "127.0.0.1", "-p", str(self.port), "-m", "16", "-U", "0"]
            + (["-u", "nobody"] if os.geteuid() == 0 else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
        cache.close()  # the test's own connections; a worker's would fail once and reconnect
        for client in cache._cache.clients.values():
            client.close()


@pytest.fixture
def memcached(settings) -> Iterator[Memcached]:
    server = Memcached()
    server.start()
    where = f"127.0.0.1:{server.port}"
    use_object_cache(settings, where)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(memcached) -> Workers:
    return Workers()


def post_photo(api: Api, caption: str = "") -> dict:
    answer = upload(api, jpeg_bytes(), caption=caption)
    assert answer.status_code in (200, 201), answer.content
    return answer.json()["data"]


def media(api: Api, media_id: str) -> dict | None:
    answer = api.get(f"/api/v1/media/{media_id}")
    if answer.status_code == 400 and answer.json()["meta"]["error_type"] == "APINotFoundError":
        return None
    assert answer.status_code == 200, answer.content
    return answer.json()["data"]


def web_for(user) -> Client:
    web = Client()
    web.force_login(user)
    return web


def home_ids(web: Client) -> list[str]:
    page = web.get("/")
    assert page.status_code == 200
    return [m["id"] for m in page.context["items"]]


def test_a_warm_worker_shows_what_another_worker_changed(workers):
    alice, alice_api = make_user("alice")
    bob, bob_api = make_user("bob")
    carol, carol_api = make_user("carol")
    for api in (bob_api, carol_api):
        api.post(f"/api/v1/users/{alice.id}/relationship", {"action": "follow"})
    photo = post_photo(alice_api, "warm <b>café</b> @bob #tag")
    run_tasks()
    bob_web, code = web_for(bob), photo["shortcode"]

    def warm() -> None:
        for _ in range(2):
            assert media(bob_api, photo["id"]) is not None
            assert home_ids(bob_web) == [photo["id"]]
            assert bob_web.get(f"/p/{code}/").status_code == 200

    with workers("a"):  # bob reads through worker a: it keeps the rows, the cards
        warm()
    assert workers.kept("a")
    with workers("b"):  # bob likes it through worker b
        assert bob_api.post(f"/api/v1/media/{photo['id']}/likes").status_code == 200
    with workers("a"):
        item = media(bob_api, photo["id"])
        assert item is not None and item["user_has_liked"] and item["likes"]["count"] == 1
        page = bob_web.get("/").content.decode()
        assert 'aria-pressed="true"' in page and "1 like<" in page
    with workers("b"):  # and unlikes it there
        bob_api.post(f"/api/v1/media/{photo['id']}/likes", {"_method": "DELETE"})
    with workers("a"):
        item = media(bob_api, photo["id"])
        assert item is not None and not item["user_has_liked"] and item["likes"]["count"] == 0
        page = bob_web.get("/").content.decode()
        assert 'aria-pressed="true"' not in page and "0 likes" in page
    with workers("b"):  # a content warning
        assert (
            alice_api.post(f"/api/v1/media/{photo['id']}", {"sensitive": "true"}).status_code == 200
        )
    with workers("a"):
        assert media(bob_api, photo["id"])["sensitive"] is True  # type: ignore[index]
        assert 'class="cw-holder' in bob_web.get("/").content.decode()
    with workers("b"):  # bob mutes alice: gone from his home feed, still on her page
        assert bob_web.post(
            f"/{alice.username}/relationship", {"action": "mute", "confirmed": "yes"}
        ).status_code in (200, 302)
    with workers("a"):
        assert home_ids(bob_web) == []
        assert media(bob_api, photo["id"]) is not None
    with workers("b"):
        bob_web.post(f"/{alice.username}/relationship", {"action": "unmute"})
        alice_api.post("/api/v1/users/self", {"is_private": "true"})
    with workers("a"):  # private: bob's follow came before, carol's too; an outsider sees nothing
        outsider, outsider_api = make_user("eve")
        assert media(outsider_api, photo["id"]) is None
        assert Client().get(f"/p/{code}/").status_code == 404
        assert media(bob_api, photo["id"]) is not None
        warm()
    with workers("b"):  # alice blocks bob
        assert (
            alice_api.post(f"/api/v1/users/{bob.id}/relationship", {"action": "block"}).status_code
            == 200
        )
    with workers("a"):
        assert media(bob_api, photo["id"]) is None
        assert home_ids(bob_web) == []
        assert bob_web.get(f"/p/{code}/").status_code == 404
        assert media(carol_api, photo["id"]) is not None  # carol follows and is not blocked
    with workers("b"):  # alice deletes the photo
        assert (
            alice_api.post(f"/api/v1/media/{photo['id']}", {"_method": "DELETE"}).status_code == 200
        )
    with workers("a"):
        assert media(carol_api, photo["id"]) is None
        assert web_for(carol).get(f"/p/{code}/").status_code == 404


def test_a_token_revoked_through_another_worker_stops_at_once(workers):
    alice, alice_api = make_user("alice")
    photo = post_photo(alice_api)
    with workers("a"):
        assert media(alice_api, photo["id"]) is not None
        assert media(alice_api, photo["id"]) is not None
    with workers("b"):
        tokens.revoke(AccessToken.objects.get(user=alice))
    with workers("a"):
        answer = alice_api.get(f"/api/v1/media/{photo['id']}")
        assert (
            answer.status_code in (400, 401)
            and answer.json()["meta"]["error_type"] == "OAuthAccessTokenException"
        )


@pytest.mark.parametrize("how", ["flush", "restart"])
def test_kept_entries_after_memcached_starts_over(workers, memcached, how):
    """Memcached flushed or restarted: every version is gone and new ones are made. An entry a
    worker kept under an old version must never match a new one, whatever happens next."""
    alice, alice_api = make_user("alice")
    bob, bob_api = make_user("bob")
    photo = post_photo(alice_api, "before")
    with workers("a"):
        for _ in range(2):
            assert media(bob_api, photo["id"])["caption"]["text"] == "before"  # type: ignore[index]
    kept = workers.kept("a")
    assert kept

    def start_over() -> None:
        if how == "flush":
            cache.clear()
        else:
            memcached.restart()

    start_over()
    with workers("b"):  # worker b reads first (new versions), then writes
        assert media(bob_api, photo["id"])["caption"]["text"] == "before"  # type: ignore[index]
        assert (
            alice_api.post(f"/api/v1/media/{photo['id']}", {"caption": "after"}).status_code == 200
        )
        alice_api.post("/api/v1/users/self", {"full_name": "Alice Changed"})
    with workers("a"):
        for _ in range(2):
            item = media(bob_api, photo["id"])
            assert item is not None and item["caption"]["text"] == "after"
            assert item["user"]["full_name"] == "Alice Changed"
    start_over()
    with workers("b"):  # written with memcached empty, before anyone read again
        alice_api.post(f"/api/v1/users/{bob.id}/relationship", {"action": "block"})
    with workers("a"):
        assert media(bob_api, photo["id"]) is None


def test_kept_cards_are_each_viewers_own(workers):
    """Two viewers with different rights on one worker: the card kept for one is never shown
    to the other (bob liked and saved it, carol did neither; dan is blocked by a commenter)."""
    alice, alice_api = make_user("alice")
    bob, bob_api = make_user("bob")
    carol, carol_api = make_user("carol")
    for api in (bob_api, carol_api):
        api.post(f"/api/v1/users/{alice.id}/relationship", {"action": "follow"})
    photo = post_photo(alice_api, 'x"><script>alert(1)</script>\u202e')
    run_tasks()
    bob_api.post(f"/api/v1/media/{photo['id']}/likes")
    bob_api.post(f"/api/v1/media/{photo['id']}/saved")
    assert (
        bob_api.post(
            f"/api/v1/media/{photo['id']}/comments", {"text": "bob <i>was</i> here"}
        ).status_code
        == 200
    )
    bob_api.post(f"/api/v1/users/{carol.id}/relationship", {"action": "block"})
    with workers("a"):
        bob_page = web_for(bob).get("/").content.decode()
        carol_page = web_for(carol).get("/").content.decode()
        again = web_for(carol).get("/").content.decode()
    assert "<script>alert" not in bob_page and "&lt;i&gt;was" in bob_page
    assert bob_page.count('aria-pressed="true"') == 2  # liked, saved
    assert 'aria-pressed="true"' not in carol_page
    assert "bob <i>was" not in carol_page and "was</i>" not in carol_page
    assert "&lt;i&gt;was" not in carol_page  # bob's comment: blocked either way
    assert carol_page.count("csrfmiddlewaretoken") == again.count("csrfmiddlewaretoken") > 0


def _tokens_blanked(html: str) -> str:
    """The card with its CSRF tokens blanked (each request has its own)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", html)


def test_a_kept_cards_address_is_spliced_in_escaped_and_never_read_as_a_slot(workers):
    """The address a card's forms come back to is user text (a like's `next`, echoed in the
    card app.js gets back): a kept card has it spliced in escaped, a slot marker or NUL in it is
    text, and the card is the one drawn afresh for the same object."""
    alice, alice_api = make_user("alice")
    bob, bob_api = make_user("bob")
    bob_api.post(f"/api/v1/users/{alice.id}/relationship", {"action": "follow"})
    photo = post_photo(alice_api, "a backslash: \\x00 \\0 <b>")
    run_tasks()
    web, code = web_for(bob), photo["shortcode"]
    with workers("a"):
        assert home_ids(web) == [photo["id"]]  # the card is kept
        cards_kept = len(cards._kept)
        for back in ['/"><x>', "/\x00c\x00\x00b\x00\x0012\x00", "/?q=%22%3E"]:
            for action in ("like", "unlike"):
                piece = web.post(f"/p/{code}/like", {"action": action, "next": back},
                                 headers={"X-Requested-With": "fetch"})  # fmt: skip
                if "\x00" in back:  # refused before any view (wellformed input)
                    assert piece.status_code == 400
                    continue
                assert piece.status_code == 200
                html = piece.content.decode()
                cards.forget()
                fresh = web.post(f"/p/{code}/like", {"action": action, "next": back},
                                 headers={"X-Requested-With": "fetch"}).content.decode()  # fmt: skip
                assert _tokens_blanked(html) == _tokens_blanked(fresh)
                assert "<x>" not in html and "<b>" not in html
                assert html.count("\x00") == fresh.count("\x00")
    assert cards_kept
