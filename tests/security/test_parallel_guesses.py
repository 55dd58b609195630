"""Guesses sent all at once, over real connections to the live test server: each is counted
before it is judged, so exactly the limit's worth are tried and the rest refused unread (the
red team once had 13 of 40 parallel guesses tried against a limit of 10)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.personas import PASSWORD, make_user

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]
AT_ONCE = 40


def all_at_once(send: Callable[[int], int]) -> list[int]:
    """Run `send(n)` for n in range(AT_ONCE) in threads released together; their statuses."""
    start = threading.Barrier(AT_ONCE)

    def released(n: int) -> int:
        start.wait()
        return send(n)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(released, range(AT_ONCE)))


def test_parallel_wrong_log_ins_are_tried_exactly_up_to_the_limit(live_server, limits):
    limits(login_failures_per_hour=10)
    make_user("alice")
    url = f"{live_server.url}/api/v1/accounts/login"

    def guess(n: int) -> int:
        return httpx.post(
            url, data={"username": "alice", "password": f"guess {n}"}, timeout=120
        ).status_code

    statuses = all_at_once(guess)
    assert statuses.count(400) == 10  # tried, and wrong
    assert statuses.count(429) == AT_ONCE - 10  # refused before the password was read
    right = httpx.post(url, data={"username": "alice", "password": PASSWORD}, timeout=60)
    assert right.status_code == 429


def test_parallel_attempts_from_one_address_are_counted_exactly(live_server, limits):
    limits(login_attempts_ip_per_hour=15)
    url = f"{live_server.url}/api/v1/accounts/login"

    def guess(n: int) -> int:
        return httpx.post(
            url, data={"username": f"user{n}", "password": "guess"}, timeout=120
        ).status_code

    statuses = all_at_once(guess)
    assert statuses.count(400) == 15 and statuses.count(429) == AT_ONCE - 15


def test_parallel_reset_requests_send_exactly_the_limit(live_server, limits, mailoutbox):
    limits(reset_mails_per_hour=3)
    make_user("ana")
    url = f"{live_server.url}/accounts/reset/"

    def ask(n: int) -> int:
        with httpx.Client(timeout=120) as browser:  # a browser of its own: its own CSRF cookie
            form = browser.get(url).text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            return browser.post(url, data={"email": "ana@example.com", "csrfmiddlewaretoken": token},
                                headers={"Referer": url}).status_code  # fmt: skip

    statuses = all_at_once(ask)
    assert statuses.count(302) == 3 and statuses.count(429) == AT_ONCE - 3
    assert len(mailoutbox) == 3
