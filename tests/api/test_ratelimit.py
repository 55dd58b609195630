"""Rate limits: per token and per client IP over a sliding hour, in Redis in a cluster and in the
database in the embedded default; reported on every answer; log-in failures limited per account
and attempts per IP."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from filmroll.limits import ratelimit
from tests.support.personas import PASSWORD, Api, make_user


@pytest.fixture
def limits(settings):
    def set_limits(**values):
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, **values)

    return set_limits


def test_every_answer_reports_the_limit_and_the_token_is_refused_past_it(limits):
    limits(ratelimit_per_hour=5)
    _, alice = make_user("alice")
    _, bob = make_user("bob")
    seen = []
    for _ in range(5):
        answer = alice.get("/api/v1/users/self")
        assert answer.status_code == 200
        seen.append(int(answer["X-Ratelimit-Remaining"]))
        assert answer["X-Ratelimit-Limit"] == "5"
    assert seen == [4, 3, 2, 1, 0]
    refused = alice.get("/api/v1/users/self")
    assert refused.status_code == 429
    assert refused.json()["meta"]["error_type"] == "OAuthRateLimitException"
    assert refused["X-Ratelimit-Remaining"] == "0"
    assert 0 < int(refused["Retry-After"]) <= 2 * 3600
    # Errors count and are reported too; another token has its own budget.
    unknown = bob.get("/api/v1/media/1")
    assert unknown.status_code == 400 and unknown["X-Ratelimit-Remaining"] == "4"
    assert bob.get("/api/v1/users/self")["X-Ratelimit-Remaining"] == "3"
    # A path that is no endpoint counts against the address only.
    missing = bob.get("/api/v1/no/such/thing")
    assert missing.status_code == 404 and int(missing["X-Ratelimit-Remaining"]) > 5
    assert bob.get("/api/v1/users/self").status_code == 200


def test_the_client_ip_is_limited_with_or_without_a_token(limits):
    limits(ratelimit_ip_per_hour=3)
    anonymous = Api(Client(REMOTE_ADDR="198.51.100.7"))
    for _ in range(3):
        assert anonymous.get("/api/v1/media/filters").status_code == 200
    assert anonymous.get("/api/v1/media/filters").status_code == 429
    # A bad token from the same address is refused for the limit, not tried.
    bad = Api(Client(REMOTE_ADDR="198.51.100.7"), "not-a-token")
    assert bad.get("/api/v1/users/self").status_code == 429
    elsewhere = Api(Client(REMOTE_ADDR="198.51.100.8"))
    assert elsewhere.get("/api/v1/media/filters").status_code == 200


def test_the_window_slides():
    """Last hour's requests weigh in by the share of last hour still inside the window."""
    hour = 1_000_000 * ratelimit.WINDOW
    for _ in range(10):
        ratelimit.hit([("slide", 100)], now=hour - 1)
    # A quarter into the next hour, three quarters of last hour's 10 still count.
    (verdict,) = ratelimit.hit([("slide", 100)], now=hour + ratelimit.WINDOW / 4)
    assert verdict.remaining == 91  # floor(100 - 1 - 7.5)
    (peeked,) = ratelimit.peek([("slide", 100)], now=hour + ratelimit.WINDOW / 4)
    assert peeked.remaining == verdict.remaining  # peeking counts nothing
    (later,) = ratelimit.peek([("slide", 100)], now=hour + ratelimit.WINDOW * 0.9)
    assert later.remaining == 98  # floor(100 - 1 - 1.0)
    (full,) = ratelimit.hit([("slide", 9)], now=hour + ratelimit.WINDOW / 4)
    assert not full.allowed and 0 < full.retry_after < ratelimit.WINDOW
    # By then, and not a minute before, last hour's share has shrunk enough for one more.
    then = hour + ratelimit.WINDOW / 4 + full.retry_after
    assert not ratelimit.peek([("slide", 9)], now=then - 60)[0].allowed
    assert ratelimit.peek([("slide", 9)], now=then)[0].allowed


def test_failed_log_ins_lock_the_account_not_the_person(limits):
    limits(login_failures_per_hour=3)
    make_user("alice")
    make_user("bob")
    guesser = Api(Client(REMOTE_ADDR="203.0.113.5"))
    for _ in range(3):
        wrong = guesser.post("/api/v1/accounts/login", {"username": "alice", "password": "guess"})
        assert wrong.status_code == 400
    # The right password from anywhere is now refused for this account, with a clear reason...
    right = Api(Client(REMOTE_ADDR="203.0.113.9")).post(
        "/api/v1/accounts/login", {"username": "ALICE", "password": PASSWORD}
    )
    assert right.status_code == 429
    assert "failed log-ins" in right.json()["meta"]["error_message"]
    # ...the web log-in shares the count, and other accounts are untouched.
    web = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert web.status_code == 429
    ok = guesser.post("/api/v1/accounts/login", {"username": "bob", "password": PASSWORD})
    assert ok.status_code == 200


def test_log_in_and_sign_up_attempts_are_limited_per_ip(limits):
    limits(login_attempts_ip_per_hour=4)
    make_user("alice")
    one_ip = Api(Client(REMOTE_ADDR="192.0.2.44"))
    for n in range(2):
        answer = one_ip.post(
            "/api/v1/accounts/signup",
            {"username": f"new{n}", "password": "a fine passphrase", "email": f"n{n}@x.example"},
        )
        assert answer.status_code == 201, answer.content
    for name in ("alice", "nobody"):
        assert (
            one_ip.post("/api/v1/accounts/login", {"username": name, "password": "x"}).status_code
            == 400
        )
    blocked = one_ip.post("/api/v1/accounts/login", {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429
    other_ip = Api(Client(REMOTE_ADDR="192.0.2.45"))
    answer = other_ip.post("/api/v1/accounts/login", {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limits):
    limits(ratelimit_ip_per_hour=2, trusted_proxies=("10.0.0.0/8",))

    def via(proxy: str, forwarded: str):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded).get(
            "/api/v1/media/filters"
        )

    # Two clients behind one balancer each get their own budget; a forged left-most entry is
    # not believed.
    for _ in range(2):
        assert via("10.0.0.2", "1.2.3.4, 198.51.100.1").status_code == 200
    assert via("10.0.0.2", "9.9.9.9, 198.51.100.1").status_code == 429
    assert via("10.0.0.2", "198.51.100.2").status_code == 200
    # From a peer that is not trusted, the header means nothing.
    for _ in range(2):
        assert via("203.0.113.1", "198.51.100.3").status_code == 200
    assert via("203.0.113.1", "198.51.100.4").status_code == 429


def test_requests_go_through_when_the_counts_store_is_down(limits, caplog):
    from filmroll.limits import ratelimit

    _, alice = make_user("alice")
    limits(session_redis="redis://127.0.0.1:1/0")
    ratelimit._redis.cache_clear()
    try:
        answer = alice.get("/api/v1/users/self")
    finally:
        ratelimit._redis.cache_clear()
    assert answer.status_code == 200 and answer["X-Ratelimit-Remaining"] == "5000"  # uncounted
    assert "rate limits not counted" in caplog.text


def test_redis_counts_as_the_database_does(limits):
    """The counts in Redis (one script call a request) give the verdicts the database's give,
    hit after hit, peeked or counted, across hours and windows."""
    from tests.support.servers import redis_server

    hour = 2_000_000 * ratelimit.WINDOW
    steps = [
        ("hit", [("a", 5), ("b", 3)], hour - 10, 1, ratelimit.WINDOW),
        ("hit", [("a", 5), ("b", 3)], hour - 5, 2, ratelimit.WINDOW),
        ("peek", [("a", 5), ("c", 4)], hour + 600, 1, ratelimit.WINDOW),
        ("hit", [("a", 5), ("b", 3), ("c", 4)], hour + 900, 1, ratelimit.WINDOW),
        ("hit", [("b", 3)], hour + 1000, 1, ratelimit.WINDOW),
        ("hit", [("day", 10)], hour, 4, ratelimit.LONGEST),
        ("peek", [("day", 10)], hour + 100, 7, ratelimit.LONGEST),
    ]

    def verdicts():
        return [
            getattr(ratelimit, kind)(rules, now=now, amount=amount, window=window)
            for kind, rules, now, amount, window in steps
        ]

    limits(session_redis="")
    ratelimit.reset()
    from_database = verdicts()
    with redis_server() as url:
        limits(session_redis=url)
        ratelimit._redis.cache_clear()
        try:
            from_redis = verdicts()
        finally:
            ratelimit._redis.cache_clear()
    assert from_redis == from_database
    assert not from_database[4][0].allowed  # b's budget of 3 used up: the steps tell apart
