"""Codes from an authenticator app (TOTP, RFC 6238, through pyotp): six digits every 30 s.

The secret is sealed at rest (filmroll.crypto). A code is accepted one step either side of now
(clocks drift), and only once: the step of the last code accepted is kept, and a code of that
step or an earlier one is refused, so a code seen over a shoulder cannot be used again."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from filmroll import crypto
from filmroll.accounts import recovery
from filmroll.accounts.models import SecondFactor, User
from filmroll.errors import Invalid

ISSUER = "filmroll"
STEP = 30


def _now() -> float:
    return time.time()


def is_on(user: User) -> bool:
    return SecondFactor.objects.filter(user=user).exclude(totp_secret="").exists()


def begin(user: User) -> str:
    """A new secret for the user's app, waiting for a code to confirm it (an app already set up
    keeps working meanwhile)."""
    secret = pyotp.random_base32()
    SecondFactor.objects.update_or_create(
        user=user, defaults={"pending_secret": crypto.seal(secret)}
    )
    return secret


def pending(user: User) -> str | None:
    row = SecondFactor.objects.filter(user=user).exclude(pending_secret="").first()
    return crypto.unseal(row.pending_secret) if row else None


def uri(user: User, secret: str) -> str:
    """The otpauth:// address the QR code carries."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(address: str) -> str:
    """The QR code as an inline <svg> element (no image request, nothing for the CSP to allow)."""
    return segno.make(address, error="m").svg_inline(scale=4, border=4, dark="#111", light="#fff")


def _step(secret: str, code: str) -> int | None:
    """The time step `code` belongs to, one step either side of now; None for a wrong code."""
    code = code.replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), _now()
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def confirm(user: User, code: str) -> list[str]:
    """Turn on the secret from `begin` with a code from the app; the new recovery codes when the
    account had none (shown once), else []."""
    secret = pending(user)
    if secret is None:
        raise Invalid("set up the authenticator app first")
    step = _step(secret, code)
    if step is None:
        raise Invalid("that code is not right; check the app's clock and try the next code")
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).update(
            totp_secret=crypto.seal(secret), pending_secret="", last_step=step,
            enabled_at=timezone.now(),
        )  # fmt: skip
        return [] if recovery.left(user) else recovery.regenerate(user)


def check(user: User, code: str) -> bool:
    """Whether `code` is the app's code now and was never used before (once, even when two
    requests race with it: the step moves forward in one UPDATE)."""
    row = SecondFactor.objects.filter(user=user).exclude(totp_secret="").first()
    if row is None:
        return False
    try:
        secret = crypto.unseal(row.totp_secret)
    except ValueError:  # sealed under another SECRET_KEY: a recovery code still works
        return False
    step = _step(secret, code)
    if step is None:
        return False
    return bool(SecondFactor.objects.filter(user=user, last_step__lt=step).update(last_step=step))


def turn_off(user: User) -> None:
    SecondFactor.objects.filter(user=user).delete()
