"""A process's copies of access tokens (accounts/tokens.kept): the home feed and a photo's read
take the token from the process and check it against memcached's entry in the read's own
multi-get, one round trip fewer. An attacker holding a token that was revoked, or whose user
changed, in another process is refused exactly as before; a read answered again is counted once;
no write ever runs on a kept copy. Against a memcached of the test's own."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from oauth2_provider.models import AccessToken

from filmroll.accounts import tokens, users
from filmroll.api import fragments
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import Api, make_user
from tests.support.servers import memcached_server, use_object_cache

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "memcached"),
]


@pytest.fixture
def memcached(settings) -> Iterator[None]:
    with memcached_server() as where:
        use_object_cache(settings, where)
        tokens._kept.clear()
        fragments.forget()
        yield
        tokens._kept.clear()
        fragments.forget()


@pytest.fixture
def asked() -> Iterator[dict[str, list]]:
    """Every key the request asks memcached for: alone (`get`) and in multi-gets (`many`)."""
    seen: dict[str, list] = {"get": [], "many": []}
    get, get_many = cache.get, cache.get_many
    cache.get = lambda key, *a, **k: get(seen["get"].append(key) or key, *a, **k)
    cache.get_many = lambda keys, *a, **k: get_many(
        seen["many"].append(list(keys)) or keys, *a, **k
    )
    yield seen
    del cache.get, cache.get_many


def photo(api: Api) -> str:
    answer = upload(api, jpeg_bytes(), caption="kept")
    assert answer.status_code in (200, 201), answer.content
    return f"/api/v1/media/{answer.json()['data']['id']}"


def key_of(api: Api) -> str:
    assert api.token
    return f"tok:{hashlib.sha256(api.token.encode()).hexdigest()}"


def refused(api: Api, path: str) -> tuple[int, str]:
    answer = api.get(path)
    return answer.status_code, answer.json()["meta"]["error_type"]


def remaining(answer) -> int:
    return int(answer["X-Ratelimit-Remaining"])


def test_a_warm_read_checks_its_kept_token_in_its_own_multi_get(asked):
    _, alice = make_user("alice")
    path = photo(alice)
    first = alice.get(path)
    assert first.status_code == 200
    for read in (path, "/api/v1/users/self/feed"):
        asked["get"].clear()
        asked["many"].clear()
        answer = alice.get(read)
        assert answer.status_code == 200, answer.content
        assert key_of(alice) not in asked["get"]  # no round trip of its own
        assert any(key_of(alice) in keys for keys in asked["many"])
    assert alice.get(path).json() == first.json()


def test_a_token_revoked_in_another_process_is_refused_on_the_next_read():
    user, alice = make_user("alice")
    path = photo(alice)
    assert alice.get(path).status_code == 200  # this process keeps the token now
    AccessToken.objects.filter(user=user).delete()  # as another process would: memcached only
    assert tokens._kept  # the copy is still here, and must not be believed
    assert refused(alice, path) == refused(Api(alice.client, "no-such-token"), path)
    assert refused(alice, path)[1] == "OAuthAccessTokenException"
    assert refused(alice, "/api/v1/users/self/feed")[1] == "OAuthAccessTokenException"
    assert not tokens._kept


def test_a_deactivated_account_is_refused_at_once():
    user, alice = make_user("alice")
    assert alice.get("/api/v1/users/self/feed").status_code == 200
    user.is_active = False
    user.save()
    users.after_admin_change(user)  # what the admin does: the caches of the user go
    assert refused(alice, "/api/v1/users/self/feed")[1] == "OAuthAccessTokenException"


def test_a_read_answered_again_after_its_user_changed_is_counted_once():
    user, alice = make_user("alice")
    path = photo(alice)
    before = remaining(alice.get(path))
    assert remaining(alice.get(path)) == before - 1  # the kept copy, confirmed
    checksum = key_of(alice).partition(":")[2]
    stamp = tokens._kept[checksum].stamp
    users.update_profile(user, {"full_name": "Alice Changed"})  # its tokens' entries go
    answer = alice.get(path)  # the kept copy is not confirmed: answered again from the database
    assert answer.status_code == 200
    assert remaining(answer) == before - 2  # counted once, not twice
    again = tokens._kept[checksum]
    assert again.stamp != stamp and again.token.user.full_name == "Alice Changed"


def test_no_write_runs_on_a_kept_token():
    user, alice = make_user("alice")
    path = photo(alice)
    assert alice.get(path).status_code == 200
    AccessToken.objects.filter(user=user).delete()
    assert tokens._kept
    gone = alice.post(f"{path}?_method=DELETE")
    assert gone.json()["meta"]["error_type"] == "OAuthAccessTokenException"
    liked = alice.post(f"{path}/likes")
    assert liked.json()["meta"]["error_type"] == "OAuthAccessTokenException"
    again = Api(alice.client, tokens.issue(user))
    shown = again.get(path)
    assert shown.status_code == 200 and shown.json()["data"]["likes"]["count"] == 0


def test_each_request_has_a_copy_of_its_own():
    user, alice = make_user("alice")
    assert alice.get("/api/v1/users/self/feed").status_code == 200
    assert alice.token
    copy = tokens.kept(alice.token)
    assert copy is not None
    copy.token.user.full_name = "changed by one request"
    other = tokens.kept(alice.token)
    assert other is not None and other.token.user.full_name == user.full_name
    assert other.token.user is not copy.token.user
    assert tokens.kept("someone else's") is None
