"""Sign-up, log-in and profiles: the write layer for users."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from filmroll import objcache
from filmroll.accounts import leaving, logins, tokens, twofactor
from filmroll.accounts.models import User
from filmroll.errors import BadCredentials, Conflict, Invalid, NotFound
from filmroll.files import images, storage
from filmroll.observe import metrics
from filmroll.sharding import ids
from filmroll.tasks.dispatch import enqueue

USERNAME = re.compile(r"^[a-z0-9._]{1,30}$")
# First path segments of the site's own pages, which profile URLs (/{username}/) must not shadow.
RESERVED = {
    "about", "accounts", "activity", "admin", "api", "direct", "explore", "healthz", "login",
    "logout", "media", "metrics", "oauth", "p", "settings", "signup", "static", "status", "tags",
    "upload", "users", "v1", "oembed",
}  # fmt: skip
LIMITS = {"full_name": 64, "bio": 150, "website": 200}


def check_username(raw: Any) -> str:
    username = User.normalize_username(_text("username", raw))
    if not USERNAME.match(username):
        raise Invalid("username must be 1 to 30 characters of a-z, 0-9, '.' and '_'")
    if username in RESERVED:
        raise Invalid(f"the username {username!r} is reserved; choose another")
    return username


def _text(field: str, raw: Any, required: bool = True) -> str:
    if raw is None or raw == "":
        if required:
            raise Invalid(f"{field} is required")
        return ""
    if not isinstance(raw, str):
        raise Invalid(f"{field} must be text")
    if "\x00" in raw:
        raise Invalid(f"{field} must not contain NUL characters")
    return raw


def _bounded(field: str, raw: Any) -> str:
    value = _text(field, raw, required=False).strip()
    if len(value) > LIMITS[field]:
        raise Invalid(f"{field} must be at most {LIMITS[field]} characters")
    return value


def _website(raw: Any) -> str:
    value = _bounded("website", raw)
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise Invalid("website must be an http or https address") from None
    return value


def _password_errors(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise Invalid("password: " + " ".join(error.messages)) from None


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def parse_bool(field: str, raw: Any) -> bool:
    """A JSON boolean, or in a form one of the exact words in BOOLEANS (the API document's)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw in BOOLEANS:
        return BOOLEANS[raw]
    raise Invalid(f"{field} must be true or false")


def sign_up(username: Any, password: Any, email: Any, full_name: Any = "", ip: str = "") -> User:
    logins.count_address(ip)  # sign-ups share the address's budget with log-ins
    username = check_username(username)
    password = _text("password", password)
    email = _text("email", email).strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid("email is not a valid e-mail address") from None
    full_name = _bounded("full_name", full_name)
    _password_errors(password, User(username=username, email=email, full_name=full_name))
    if User.objects.filter(username=username).exists() or leaving.buried(username):
        raise Conflict(f"the username {username!r} is taken")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, email, password, full_name=full_name)
    except IntegrityError:  # another sign-up took the name between the check and the insert
        raise Conflict(f"the username {username!r} is taken") from None
    metrics.SIGNUPS.inc()
    return user


def log_in(username: Any, password: Any, ip: str = "") -> User:
    """The log-in's password step: the user with these credentials; one answer for a wrong name
    and a wrong password. The log-in throttle (accounts/logins, through the authentication
    backend) counts first. An account waiting for deletion passes it still inactive: the caller
    asks for the second factor when it is on, and ends with `finish_log_in` either way."""
    username, password = _text("username", username), _text("password", password)
    user = authenticate(username=username, password=password, client_ip=ip)
    if user is None:
        raise BadCredentials("the username or password is incorrect")
    return user


def finish_log_in(user: User) -> User:
    """The whole log-in has passed (the password, and the second factor when it is on): the one
    step every log-in (web, API, the admin's form) takes before it gives a session or a token.
    An account waiting for deletion comes back here (accounts/leaving.restore), never at the
    password alone; twofactor.Expired (a BadCredentials) when its grace period ended
    meanwhile."""
    if not user.is_active and not leaving.restore(user):
        raise twofactor.Expired("the log-in has expired; log in again")
    return user


def cached(user_ids: Iterable[int]) -> dict[int, User]:
    """Users by ID through the object cache. Every profile write here invalidates; changes made
    elsewhere (the admin deactivating someone) show within five minutes."""
    return objcache.fetch(batch(user_ids))[0]


def batch(user_ids: Iterable[int]) -> objcache.Batch:
    """`cached`, to fetch with other rows (objcache.fetch)."""
    return objcache.Batch("user", user_ids, User.objects.in_bulk, most_seconds=300)


def _changed(user: User) -> None:
    objcache.invalidate("user", user.id)
    tokens.uncache(user)


def after_admin_change(user: User) -> None:
    """Staff changed the account in the admin (deactivated it, made it private): every cache
    forgets it, and its photos leave or join the index."""
    _changed(user)
    enqueue("discovery.index_user", user.id)


def get_user(raw_id: Any) -> User:
    try:
        user_id = ids.parse(raw_id)
    except ValueError:
        raise NotFound("no such user") from None
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        raise NotFound("no such user")
    return user


def update_profile(user: User, fields: dict[str, Any]) -> User:
    """Change any of full_name, bio, website, is_private; unknown fields are ignored."""
    changed: list[str] = []
    for field in ("full_name", "bio"):
        if field in fields:
            setattr(user, field, _bounded(field, fields[field]))
            changed.append(field)
    if "website" in fields:
        user.website = _website(fields["website"])
        changed.append("website")
    was_private = user.is_private
    if "is_private" in fields:
        user.is_private = parse_bool("is_private", fields["is_private"])
        changed.append("is_private")
    if changed:
        user.save(update_fields=changed)
        _changed(user)
    if user.is_private != was_private:  # the index holds public photos only
        enqueue("discovery.index_user", user.id)
    return user


def set_avatar(user: User, data: bytes) -> None:
    """Replace the profile picture with a clean square JPEG made from untrusted bytes."""
    old = user.avatar_key
    new = storage.save(images.avatar(data), "jpg")
    try:
        user.avatar_key = new
        user.save(update_fields=["avatar_key"])
    except BaseException:
        user.avatar_key = old
        storage.discard([new])
        raise
    _changed(user)
    if old:
        storage.delete(old)


def change_password(user: User, old: Any, new: Any, ip: str) -> None:
    """Set a new password and end every grant, token and session the user had. The current
    password is checked through the log-in throttle like any other (a stolen session must not
    guess it freely)."""
    checked = authenticate(
        username=user.username, password=_text("old_password", old), client_ip=ip
    )
    if checked is None or checked.pk != user.pk:
        raise BadCredentials("the current password is incorrect")
    new = _text("new_password", new)
    _password_errors(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        tokens.revoke_all(user)
        objcache.invalidate("user", user.id)
    # Web sessions keep a hash of the password, so Django ends them on their next request.
