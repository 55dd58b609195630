"""Two-factor log-in: after the password, a second step with a code from an authenticator app
(`totp`), a security key or passkey (`securitykeys`) or a single-use recovery code (`recovery`).

Between the two steps nobody is logged in: the web keeps the half-done log-in in the session
(`begin_web`), the API hands out a signed challenge (`challenge`), both good for PENDING_SECONDS
and both tied to the password the user had (a password change ends them). Every try at the
second step passes `verify`, which the log-in throttle counts (accounts/logins.admit_code).
Turning the second factor off or making new recovery codes needs the password again."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.core import signing
from django.db import transaction

from filmroll.accounts import logins, recovery, securitykeys, totp
from filmroll.accounts.models import SecurityKey, User
from filmroll.errors import BadCredentials, Invalid

PENDING_SECONDS = 300
SALT = "filmroll.two-factor"


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Status:
    totp: bool
    security_keys: int
    recovery_codes_left: int

    @property
    def enabled(self) -> bool:
        return self.totp or self.security_keys > 0

    @property
    def methods(self) -> list[str]:
        """The ways the second step can be passed, as the API names them."""
        if not self.enabled:
            return []
        return (
            (["totp"] if self.totp else [])
            + (["security_key"] if self.security_keys else [])
            + (["recovery_code"] if self.recovery_codes_left else [])
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled, "totp": self.totp, "security_keys": self.security_keys,
            "recovery_codes_left": self.recovery_codes_left, "methods": self.methods,
        }  # fmt: skip


def status(user: User) -> Status:
    return Status(
        totp.is_on(user),
        SecurityKey.objects.filter(user=user).count(),
        recovery.left(user),
    )


def enabled(user: User) -> bool:
    return totp.is_on(user) or SecurityKey.objects.filter(user=user).exists()


# --- the second step ------------------------------------------------------------------------


def verify(
    user: User,
    ip: str,
    code: Any = None,
    credential: Any = None,
    key_challenge: bytes | None = None,
    site: securitykeys.Site | None = None,
) -> str:
    """Pass the second step with a code (the app's or a recovery code) or a security key's
    assertion; the method that passed. Counted first (RateLimited past the limits); a wrong
    answer raises BadCredentials and stays counted against the account."""
    by_code = isinstance(code, str) and bool(code.strip())
    if not by_code and not (credential and key_challenge is not None and site is not None):
        raise Invalid("code is required")
    attempt = logins.admit_code(user.id, ip)
    method = ""
    if by_code:
        plain = str(code).replace(" ", "").strip()
        if len(plain) == 6 and plain.isdigit():
            method = "totp" if totp.check(user, plain) else ""
        elif recovery.use(user, plain):
            method = "recovery_code"
    elif key_challenge is not None and site is not None:
        method = "security_key" if securitykeys.check(user, credential, key_challenge, site) else ""
    if not method:
        raise BadCredentials("the code is incorrect")
    logins.succeeded(attempt)
    return method


def _bound(user: User) -> str:
    """Ties a half-done log-in to the password it began with."""
    return user.get_session_auth_hash()[:20]


def pending_state(user: User, key_challenge: bytes | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"u": user.id, "h": _bound(user), "t": int(_now())}
    if key_challenge is not None:
        state["k"] = base64.urlsafe_b64encode(key_challenge).decode()
    return state


class Expired(BadCredentials):
    pass


def pending_user(state: Any) -> User:
    """The user whose password step `state` records; Expired when it is too old, unreadable,
    or the password or the account changed since (deactivated, or its grace period over)."""
    if not isinstance(state, dict) or not isinstance(state.get("u"), int):
        raise Expired("the log-in has expired; log in again")
    if _now() - state.get("t", 0) > PENDING_SECONDS:
        raise Expired("the log-in has expired; log in again")
    # an account waiting for deletion may pass the second step: the log-in then restores it
    user = User.objects.may_log_in().filter(id=state["u"]).first()
    if user is None or state.get("h") != _bound(user):
        raise Expired("the log-in has expired; log in again")
    return user


def key_challenge(state: dict[str, Any]) -> bytes | None:
    raw = state.get("k")
    return base64.urlsafe_b64decode(raw) if isinstance(raw, str) else None


def challenge(user: User, key_challenge: bytes | None = None) -> str:
    """The API's challenge token: the signed pending state (nothing is stored)."""
    return signing.dumps(pending_state(user, key_challenge), salt=SALT, compress=True)


def read_challenge(token: Any) -> tuple[User, dict[str, Any]]:
    if not isinstance(token, str) or not token:
        raise Invalid("challenge is required")
    try:
        state = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Expired("the challenge is not valid; log in again") from None
    return pending_user(state), state


# --- settings -------------------------------------------------------------------------------


def check_password(user: User, password: Any, ip: str) -> None:
    """The password again, through the log-in throttle like any other check of it."""
    if not isinstance(password, str) or not password:
        raise Invalid("password is required")
    checked = authenticate(username=user.username, password=password, client_ip=ip)
    if checked is None or checked.pk != user.pk:
        raise BadCredentials("the password is incorrect")


def turn_off(user: User, password: Any, ip: str) -> None:
    check_password(user, password, ip)
    reset(user)


def new_recovery_codes(user: User, password: Any, ip: str) -> list[str]:
    check_password(user, password, ip)
    if not enabled(user):
        raise Invalid("two-factor log-in is off")
    return recovery.regenerate(user)


def remove_key(user: User, key_id: Any, password: Any, ip: str) -> None:
    check_password(user, password, ip)
    with transaction.atomic():
        securitykeys.remove(user, key_id)
        if not enabled(user):
            recovery.forget(user)


def reset(user: User) -> None:
    """Everything of the second factor gone (turned off, or reset by staff in the admin)."""
    with transaction.atomic():
        totp.turn_off(user)
        securitykeys.forget(user)
        recovery.forget(user)
