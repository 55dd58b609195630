"""Attacks on the kept access tokens (accounts/tokens.kept) and on the shared token entries
they are checked against, against a memcached of the test's own: a revoked token reaching a
read that answers before any multi-get, in every shape a request may take; a copy kept past
the cap or between threads; a revocation or deactivation whose transaction has not committed
when another request reads the token."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from oauth2_provider.models import AccessToken

from filmroll.accounts import tokens, users
from filmroll.errors import BadToken
from tests.security.test_kept_tokens import memcached, photo  # noqa: F401 (the same fixture)
from tests.support.personas import PASSWORD, Api, make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "memcached"),
]


def checksum(api: Api) -> str:
    assert api.token
    return hashlib.sha256(api.token.encode()).hexdigest()


def test_a_revoked_token_is_refused_where_the_read_ends_before_any_multi_get():
    user, alice = make_user("alice")
    path = photo(alice)
    assert alice.get(path).status_code == 200  # kept
    _, bob = make_user("bob", private=True)
    hidden = photo(bob)
    AccessToken.objects.filter(user=user).delete()
    assert checksum(alice) in tokens._kept
    for read in ("/api/v1/media/1", "/api/v1/media/99999999999999", hidden, path):
        assert alice.get(read).json()["meta"]["error_type"] == "OAuthAccessTokenException", read
    assert checksum(alice) not in tokens._kept


@pytest.mark.parametrize("shape", ["head", "jsonp", "query", "query-and-jsonp"])
def test_a_revoked_token_is_refused_however_the_read_is_asked(shape):
    user, alice = make_user("alice")
    path = photo(alice)
    assert alice.get(path).status_code == 200
    AccessToken.objects.filter(user=user).delete()
    assert checksum(alice) in tokens._kept
    if shape == "head":
        answer = alice.client.head(path, HTTP_AUTHORIZATION=f"Bearer {alice.token}")
        assert answer.status_code == 400 and not answer.content
        return
    params = {"access_token": alice.token} if shape.startswith("query") else {}
    if shape.endswith("jsonp"):
        params["callback"] = "cb"
    answer = (
        alice.client.get(path, params) if params.get("access_token") else alice.get(path, **params)
    )
    assert b"OAuthAccessTokenException" in answer.content
    assert b'"likes"' not in answer.content


def test_past_the_cap_each_token_still_reads_as_its_own_user(monkeypatch):
    monkeypatch.setattr(tokens, "KEPT", 1)
    _, alice = make_user("alice")
    _, bob = make_user("bob")
    for _ in range(3):
        for api, name in ((alice, "alice"), (bob, "bob")):
            answer = api.get("/api/v1/users/self")
            assert answer.status_code == 200
            assert answer.json()["data"]["username"] == name
            feed = api.get("/api/v1/users/self/feed")
            assert feed.status_code == 200
    assert len(tokens._kept) <= 1


def test_threads_sharing_the_kept_copies_each_get_their_own_user():
    people = [make_user(name) for name in ("ana", "bo", "cy", "di")]
    for _, api in people:
        assert api.get("/api/v1/users/self/feed").status_code == 200
    wrong: list[str] = []

    def read(user, api: Api) -> None:
        for _ in range(200):
            copy = tokens.kept(api.token)
            if copy is None or copy.token.user.pk != user.pk:
                wrong.append(user.username)
            else:
                copy.token.user.full_name = "changed by " + user.username
        connections.close_all()

    threads = [threading.Thread(target=read, args=pair) for pair in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong
    for user, api in people:
        copy = tokens.kept(api.token)
        assert copy is not None and copy.token.user.full_name == user.full_name


def _read_meanwhile(raw: str) -> None:
    """Another request looking the token up while the caller's transaction is still open."""
    seen: list[object] = []

    def look() -> None:
        try:
            seen.append(tokens.lookup(raw))
        except BadToken as error:
            seen.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen


def test_a_token_revoked_in_a_transaction_is_not_cached_again_by_a_read_before_it_commits(
    monkeypatch,
):
    user, alice = make_user("alice")
    assert alice.token and alice.get("/api/v1/users/self/feed").status_code == 200
    revoke_all = tokens.revoke_all

    def revoking(who) -> None:
        revoke_all(who)
        _read_meanwhile(alice.token)  # the token's row is still there for everyone else

    monkeypatch.setattr(tokens, "revoke_all", revoking)
    users.change_password(user, PASSWORD, "a whole new passphrase 42", "10.0.0.1")
    assert not AccessToken.objects.filter(user=user).exists()
    with pytest.raises(BadToken):
        tokens.lookup(alice.token)
    assert alice.get("/api/v1/users/self/feed").json()["meta"]["error_type"] == (
        "OAuthAccessTokenException"
    )


def test_an_account_deactivated_in_a_transaction_is_not_cached_again_before_it_commits(
    monkeypatch,
):
    user, alice = make_user("alice")
    assert alice.token and alice.get("/api/v1/users/self/feed").status_code == 200
    uncache = tokens.uncache

    def uncaching(who) -> None:
        uncache(who)
        _read_meanwhile(alice.token)  # sees the account as it was: active

    monkeypatch.setattr(tokens, "uncache", uncaching)
    with transaction.atomic():  # as the admin saves a change
        user.is_active = False
        user.save()
        users.after_admin_change(user)
    assert not get_user_model().objects.get(pk=user.pk).is_active
    with pytest.raises(BadToken):
        tokens.lookup(alice.token)
    assert alice.get("/api/v1/users/self/feed").json()["meta"]["error_type"] == (
        "OAuthAccessTokenException"
    )
