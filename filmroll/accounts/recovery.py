"""Recovery codes: ten single-use codes for when the authenticator app and the security keys
are lost. Only an HMAC of each is stored (keyed from SECRET_KEY): the codes are random (about 50
bits each), so a fast keyed hash is enough, and a stolen table alone does not give them away."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from filmroll.accounts.models import RecoveryCode, User

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
LENGTH = 10


@functools.cache
def _key(secret_key: str) -> bytes:
    return hashlib.sha256(b"filmroll.recovery\0" + secret_key.encode()).digest()


def normalize(code: str) -> str:
    """What the person typed, as stored: case, spaces and dashes do not matter."""
    return "".join(c for c in code.lower() if c not in " -\t")


def _digest(code: str) -> str:
    return hmac.new(_key(settings.SECRET_KEY), normalize(code).encode(), "sha256").hexdigest()


def looks_like(code: str) -> bool:
    plain = normalize(code)
    return len(plain) == LENGTH and all(c in ALPHABET for c in plain)


def regenerate(user: User) -> list[str]:
    """A new set of codes, shown once; the old ones stop working."""
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, digest=_digest(code)) for code in codes
        )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


def use(user: User, code: str) -> bool:
    """Spend one code: True once for each right code, however many tries race for it."""
    if not looks_like(code):
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at=None).update(
            used_at=timezone.now()
        )
    )


def forget(user: User) -> None:
    RecoveryCode.objects.filter(user=user).delete()
