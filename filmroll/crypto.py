"""Secrets kept at rest (an app's client secret for signing callbacks, tokens of connected
accounts): sealed with Fernet under a key derived from SECRET_KEY. Changing SECRET_KEY makes
what was sealed under the old key unreadable; `unseal` then raises ValueError."""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@functools.cache
def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"filmroll.crypto\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(text.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet(settings.SECRET_KEY).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("this secret was sealed under another SECRET_KEY") from None
