"""Deleting an account, the accounts part: asking for it, the grace period, coming back.

Asking (`request_deletion`, with the password and, when on, the second factor) deactivates the
account at once and sets `delete_after` (now + FILMROLL_DELETION_GRACE_DAYS): the account is gone
everywhere as a deactivated one is (graph/visibility.py reads `is_active`), its tokens are ended
and every web session of it, on every device, is deleted from the session store
(accounts/sessions.py), so coming back takes a fresh log-in. Logging in before
`delete_after` restores it whole: nothing was removed, so photos, follows and counts are all
there again. The password alone does not: the authentication backend lets the account through
the password step still inactive, and `restore` runs when the whole log-in has passed (the second
factor too, when it is on: accounts/users.finish_log_in, on the web, the API, the admin, and so
before an OAuth consent page). After it, the purge
(leaving/purge.py) removes everything and leaves a `Tombstone` of the username, which nobody may
take for another grace period.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from filmroll import objcache
from filmroll.accounts import sessions, tokens, twofactor
from filmroll.accounts.models import Tombstone, User
from filmroll.errors import BadCredentials, Forbidden, Invalid
from filmroll.tasks.dispatch import enqueue


def grace() -> timedelta:
    return timedelta(days=settings.FILMROLL.deletion_grace_days)


def has_second_factor(user: User) -> bool:
    """Whether the user turned on a second factor (pages then ask for its code)."""
    return twofactor.enabled(user)


def second_factor_passes(user: User, code: Any, ip: str) -> bool:
    """Whether `code` (the authenticator app's, or a recovery code) passes the user's second
    factor: True when none is on. Counted by the log-in limits as the log-in's second step is;
    every action that asks for the password "and, when on, the second factor" calls this."""
    if not has_second_factor(user):
        return True
    try:
        twofactor.verify(user, ip, code=code)
    except (BadCredentials, Invalid):
        return False
    return True


def request_deletion(user: User, password: Any, code: Any, ip: str) -> User:
    """The person asks for the account to go. The password is checked through the log-in
    throttle, as every password is; BadCredentials when it is wrong, Forbidden when the second
    factor is missing or wrong."""
    if not isinstance(password, str) or not password:
        raise BadCredentials("the password is required to delete the account")
    checked = authenticate(username=user.username, password=password, client_ip=ip)
    if checked is None or checked.pk != user.pk:
        raise BadCredentials("the password is incorrect")
    if not second_factor_passes(user, code, ip):
        raise Forbidden("the second factor is required to delete the account")
    with transaction.atomic():
        user.is_active = False
        user.delete_after = timezone.now() + grace()
        user.save(update_fields=["is_active", "delete_after"])
        tokens.revoke_all(user)
        objcache.invalidate("user", user.id)
    sessions.end_all(user.id)  # every device's, not only this one's (the store may be Redis)
    enqueue("discovery.index_user", user.id)  # its photos leave tag and place pages
    return user


def pending(username: str) -> User | None:
    """The account of `username` if it waits for deletion and may still come back."""
    return User.objects.filter(
        username=User.normalize_username(username),
        is_active=False,
        delete_after__gt=timezone.now(),
    ).first()


def restore(user: User) -> bool:
    """Undo a deletion request (the person logged in within the grace period); False when the
    account was not waiting for deletion, or its grace period is over."""
    with transaction.atomic():
        updated = User.objects.filter(
            pk=user.pk, is_active=False, delete_after__gt=timezone.now()
        ).update(is_active=True, delete_after=None)
        objcache.invalidate("user", user.id)
    if updated:
        user.is_active, user.delete_after = True, None
        tokens.uncache(user)
        enqueue("discovery.index_user", user.id)  # its photos come back to the index
    return bool(updated)


def due(now: Any = None) -> list[int]:
    """Accounts whose grace period is over: the purge's to remove."""
    return list(
        User.objects.filter(is_active=False, delete_after__lte=now or timezone.now())
        .order_by("delete_after")
        .values_list("id", flat=True)
    )


def bury(user: User) -> None:
    """Keep the username from sign-ups for another grace period, then delete the user's row
    (Django removes its tokens, grants and apps with it): the purge's last step."""
    user_id = user.id
    with transaction.atomic():
        Tombstone.objects.update_or_create(
            username=user.username, defaults={"until": timezone.now() + grace()}
        )
        tokens.revoke_all(user)
        user.delete()
        objcache.invalidate("user", user_id)


def buried(username: str) -> bool:
    """Whether the username belonged to a deleted account recently."""
    return Tombstone.objects.filter(username=username, until__gt=timezone.now()).exists()


def forget_tombstones() -> int:
    """Drop tombstones whose time is over: those names are free again."""
    return Tombstone.objects.filter(until__lte=timezone.now()).delete()[0]
