"""Security keys and passkeys as a second factor (WebAuthn, through py_webauthn).

The browser's navigator.credentials calls (filmroll/web/static/filmroll/securitykeys.js) need
options made here and answer with a credential checked here. Each ceremony's challenge is kept
by the caller (the web session, or the API's signed log-in challenge) and given back to be
checked. The relying party is the host the page was served from, so a key registered on one
host of an install works on that host (WebAuthn itself ties a credential to its RP ID)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import webauthn
from django.db import transaction
from django.utils import timezone
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from filmroll.accounts import recovery
from filmroll.accounts.models import SecurityKey, User
from filmroll.errors import Invalid

RP_NAME = "filmroll"
MOST_KEYS = 10


@dataclass(frozen=True)
class Site:
    """Who asks: the relying party's ID (the host, without a port) and the page's origin."""

    rp_id: str
    origin: str


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(cid))
        for cid in SecurityKey.objects.filter(user=user).values_list("credential_id", flat=True)
    ]


def registration_options(user: User, site: Site) -> tuple[str, bytes]:
    """The options for navigator.credentials.create() as JSON, and their challenge."""
    options = webauthn.generate_registration_options(
        rp_id=site.rp_id,
        rp_name=RP_NAME,
        user_name=user.username,
        user_id=user.id.to_bytes(8, "big"),
        user_display_name=user.full_name or user.username,
        exclude_credentials=_descriptors(user),  # the same key twice says so at once
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return webauthn.options_to_json(options), options.challenge


def register(
    user: User, credential: Any, challenge: bytes, site: Site, name: str
) -> tuple[SecurityKey, list[str]]:
    """Keep the key the browser made; with the new recovery codes when the account had none."""
    name = (name if isinstance(name, str) else "").strip()[:64] or "Security key"
    if not isinstance(credential, (dict, str)):
        raise Invalid("credential is required: the browser's answer, as JSON")
    if SecurityKey.objects.filter(user=user).count() >= MOST_KEYS:
        raise Invalid(f"at most {MOST_KEYS} security keys; remove one first")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as error:
        raise Invalid(f"the security key could not be registered: {error}") from None
    with transaction.atomic():
        key, created = SecurityKey.objects.get_or_create(
            credential_id=bytes_to_base64url(verified.credential_id),
            defaults={
                "user": user, "name": name, "public_key": verified.credential_public_key,
                "sign_count": verified.sign_count,
            },
        )  # fmt: skip
        if not created:
            raise Invalid("this security key is registered already")
        return key, [] if recovery.left(user) else recovery.regenerate(user)


def authentication_options(user: User, site: Site) -> tuple[str, bytes]:
    """The options for navigator.credentials.get() as JSON, and their challenge."""
    options = webauthn.generate_authentication_options(
        rp_id=site.rp_id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return webauthn.options_to_json(options), options.challenge


def check(user: User, credential: Any, challenge: bytes, site: Site) -> bool:
    """Whether `credential` is an assertion by one of the user's keys over `challenge`."""
    if not isinstance(credential, (dict, str)):
        return False
    try:
        raw = credential if isinstance(credential, str) else json.dumps(credential)
        parsed = parse_authentication_credential_json(raw)
        key = SecurityKey.objects.filter(
            user=user, credential_id=bytes_to_base64url(parsed.raw_id)
        ).first()
        if key is None:
            return False
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        return False
    key.sign_count, key.last_used = verified.new_sign_count, timezone.now()
    key.save(update_fields=["sign_count", "last_used"])
    return True


def listed(user: User) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user).order_by("created"))


def remove(user: User, key_id: Any) -> None:
    SecurityKey.objects.filter(user=user, pk=key_id if str(key_id).isdigit() else -1).delete()


def forget(user: User) -> None:
    SecurityKey.objects.filter(user=user).delete()
