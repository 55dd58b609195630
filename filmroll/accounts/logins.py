"""The log-in throttle: the one place that decides whether a password may be tried.

Every password check passes here: Django's only authentication backend (`backends.Throttled`)
calls `admit` before it reads a password, so the API's and the web's log-in, the admin's and any
OAuth grant that carries a password share one count. Each attempt is counted before it is judged
(increment, then decide), so parallel guesses cannot all see the same room left:

- per client address, every attempt (log-ins and sign-ups): FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR;
- per account, every attempt that does not succeed: FILMROLL_LOGIN_FAILURES_PER_HOUR. A success
  takes its count back, and so does an attempt refused unread (it tried no password).

The second step of a log-in (a code from an authenticator app, a recovery code, a security key)
is counted here as well: every try against the client address's log-in attempts, and every wrong
one against the account's own FILMROLL_TWO_FACTOR_FAILURES_PER_HOUR, so a six-digit code cannot be
guessed through any door.

Password-reset mail is limited here too, per e-mail address and per client address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from filmroll.accounts.models import User
from filmroll.errors import RateLimited
from filmroll.limits import ratelimit


@dataclass(frozen=True)
class Attempt:
    key: str  # the account's count
    at: float  # when it was counted: a success takes the count back from that hour


def _minutes(verdict: ratelimit.Verdict) -> int:
    return verdict.retry_after // 60 + 1


def count_address(ip: str) -> None:
    """One log-in or sign-up attempt from `ip`; RateLimited past the address's limit."""
    (verdict,) = ratelimit.hit([(f"auth-ip:{ip}", settings.FILMROLL.login_attempts_ip_per_hour)])
    if not verdict.allowed:
        raise RateLimited(
            "too many log-in and sign-up attempts from your address; try again in"
            f" {_minutes(verdict)} minutes"
        )


def account_key(username: str) -> str:
    """Names that reach one account (any case, spacing or Unicode form: the database lookup
    normalizes them) share one count."""
    return f"auth-fail:{User.normalize_username(username)}"


def admit(username: str, ip: str) -> Attempt:
    """Count an attempt at `username`'s password from `ip`, before the password is read;
    RateLimited when the address or the account is past its limit."""
    count_address(ip)
    now = time.time()
    key = account_key(username)
    (verdict,) = ratelimit.hit([(key, settings.FILMROLL.login_failures_per_hour)], now)
    if not verdict.allowed:
        ratelimit.undo([key], now)  # refused unread: it tried no password
        raise RateLimited(
            "too many failed log-ins for this account; try again in"
            f" {_minutes(verdict)} minutes or reset the password"
        )
    return Attempt(key, now)


def forgive(user: User) -> None:
    """The owner set a new password through the reset mail: the failures counted against the
    old one tell nothing about guessing the new one, and the owner, whom someone else's guesses
    had locked out, can log in at once (the refusal says to reset the password)."""
    ratelimit.forget([account_key(user.username)])


def succeeded(attempt: Attempt) -> None:
    """The password was right: the attempt is not a failure."""
    ratelimit.undo([attempt.key], attempt.at)


def admit_code(user_id: int, ip: str) -> Attempt:
    """Count a try at the second factor of the account `user_id` from `ip`, before the code is
    read; RateLimited when the address or the account's second step is past its limit."""
    count_address(ip)
    now = time.time()
    key = f"2fa-fail:{user_id}"
    (verdict,) = ratelimit.hit([(key, settings.FILMROLL.two_factor_failures_per_hour)], now)
    if not verdict.allowed:
        ratelimit.undo([key], now)  # refused unread
        raise RateLimited(
            f"too many wrong codes for this account; try again in {_minutes(verdict)} minutes"
        )
    return Attempt(key, now)


def count_reset_mail(email: str, ip: str) -> None:
    """One request for password-reset mail to `email` from `ip`, counted whether or not an
    account has that address (so the limit tells nothing about accounts); RateLimited past the
    limit of either."""
    config = settings.FILMROLL
    verdicts = ratelimit.hit(
        [
            (f"reset-mail:{email.strip().casefold()}", config.reset_mails_per_hour),
            (f"reset-ip:{ip}", config.reset_mails_ip_per_hour),
        ]
    )
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        raise RateLimited(
            "too many password-reset requests; try again in"
            f" {max(_minutes(v) for v in refused)} minutes"
        )
