"""Deleting an account ends every web session of it at once, on every device, not only the one
that asked: in the global database's session store (the embedded default) and in the sessions
Redis (FILMROLL_SESSION_REDIS). Coming back within the grace period takes a fresh log-in."""

from __future__ import annotations

import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from tests.leaving import world
from tests.support.personas import PASSWORD, make_user


@pytest.fixture(params=["database", "redis"])
def session_store(request, settings) -> str:
    """Either session store, whichever the run configures."""
    if request.param == "database":
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    else:
        settings.CACHES = {
            **settings.CACHES,
            "sessions": {
                "BACKEND": "filmroll.redisconn.FollowingRedisCache",
                "LOCATION": settings.FILMROLL.session_redis or "redis://127.0.0.1:6379/2",
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            },
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
        settings.SESSION_CACHE_ALIAS = "sessions"
    return request.param


def log_in(device: Client, username: str) -> str:
    """A web log-in; the session's key."""
    answer = device.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content
    return device.cookies[settings.SESSION_COOKIE_NAME].value


def stored(keys: list[str]) -> list[str]:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    return [key for key in keys if store.exists(key)]


def test_deleting_on_one_device_ends_the_sessions_of_every_device(session_store):
    ana, _ = make_user("ana")
    make_user("bo")
    phone, laptop, tablet, bos = Client(), Client(), Client(), Client()
    keys = [log_in(device, "ana") for device in (phone, laptop, tablet)]
    log_in(bos, "bo")
    assert stored(keys) == keys and world.sessions_of(ana.id) == sorted(keys)

    page = phone.post("/settings/delete/", {"password": PASSWORD})
    assert page.status_code == 200, page.content
    assert stored(keys) == [] and world.sessions_of(ana.id) == []
    for device in (phone, laptop, tablet):
        assert device.get("/settings/").status_code == 302  # to the log-in
    assert bos.get("/settings/").status_code == 200  # nobody else's

    # back within the grace period: a fresh log-in, and only that device is signed in
    log_in(laptop, "ana")
    ana.refresh_from_db()
    assert ana.is_active and ana.delete_after is None
    assert laptop.get("/settings/").status_code == 200
    assert (
        tablet.get("/settings/").status_code == 302 and phone.get("/settings/").status_code == 302
    )


def test_deleting_through_the_api_ends_the_web_sessions_too(session_store):
    ana, api = make_user("ana")
    keys = [log_in(Client(), "ana") for _ in range(2)]
    answer = api.client.delete(
        "/api/v1/users/self", data={"password": PASSWORD}, content_type="application/json",
        **api._headers(),
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert stored(keys) == [] and world.sessions_of(ana.id) == []


def test_a_log_out_takes_its_key_off_and_a_log_in_drops_keys_of_sessions_gone(session_store):
    from filmroll.accounts.models import WebSession

    ana, _ = make_user("ana")
    phone, laptop = Client(), Client()
    first = log_in(phone, "ana")
    log_in(laptop, "ana")
    phone.post("/accounts/logout/")
    assert first not in WebSession.objects.filter(user=ana).values_list("session_key", flat=True)
    import_module(settings.SESSION_ENGINE).SessionStore().delete(
        laptop.cookies[settings.SESSION_COOKIE_NAME].value
    )
    latest = log_in(Client(), "ana")  # the laptop's session expired meanwhile
    assert list(WebSession.objects.filter(user=ana).values_list("session_key", flat=True)) == [
        latest
    ]
