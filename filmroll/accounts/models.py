"""Users live in the global database; their ID is made on their own logical shard."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from filmroll.accounts import emailkeys
from filmroll.sharding import ids


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, email: str = "", password: str | None = None, **extra):
        from filmroll.sharding import db, shardmap

        shard = shardmap.next_signup_shard()
        user = self.model(
            id=db.new_ids(shard)[0],
            username=self.model.normalize_username(username),
            email=self.normalize_email(email),
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db, force_insert=True)
        return user

    def create_superuser(
        self, username: str, email: str = "", password: str | None = None, **extra
    ):
        return self.create_user(
            username, email, password, is_staff=True, is_superuser=True, **extra
        )

    def may_log_in(self) -> models.QuerySet[User]:
        """The accounts whose owner may finish a log-in: the active ones, and those waiting for
        deletion within their grace period (the whole log-in brings them back,
        accounts/users.finish_log_in). Accounts deactivated for any other reason may not."""
        return self.filter(
            models.Q(is_active=True) | models.Q(is_active=False, delete_after__gt=timezone.now())
        )

    def get_by_natural_key(self, username: str | None) -> User:
        # None (the base class allows it) names nobody, as the empty name does
        return self.get(username=self.model.normalize_username(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.BigIntegerField(primary_key=True)
    # Stored folded to lower case, which makes the unique index case-blind.
    username = models.CharField(max_length=30, unique=True)
    email = models.EmailField(blank=True)
    # HMAC of the address's SHA-256 (accounts/emailkeys.py), kept by save(): contact matching
    # looks people up by it. Never the plain hash, which a dictionary of addresses would undo.
    email_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    full_name = models.CharField(max_length=64, blank=True)
    # The full name case-folded (any script), kept by save(): people search matches its start.
    name_key = models.CharField(max_length=64, blank=True, editable=False)
    bio = models.CharField(max_length=150, blank=True)
    website = models.URLField(max_length=200, blank=True)
    is_private = models.BooleanField(default=False)
    avatar_key = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Set when the person asked to delete the account (is_active is then False: gone everywhere,
    # as a deactivated account is); a whole log-in (the second factor too, when on) before then
    # restores it, after it the purge (leaving/purge.py) removes everything. See
    # accounts/leaving.py.
    delete_after = models.DateTimeField(null=True, blank=True, db_index=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    @classmethod
    def normalize_username(cls, username: str) -> str:
        return super().normalize_username(username).strip().lower()

    class Meta:
        indexes = [
            # varchar_pattern_ops lets PostgreSQL serve `LIKE 'prefix%'` from the index.
            models.Index(
                fields=["name_key"], name="user_name_key", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["username"], name="user_username_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        self.name_key = self.full_name.casefold()[:64]
        self.email_key = emailkeys.email_key(self.email or "")
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        if kwargs.get("update_fields") is not None and "email" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "email_key"}
        super().save(*args, **kwargs)

    @property
    def shard(self) -> int:
        return ids.shard_of(self.id)

    def __str__(self) -> str:
        return self.username


class SecondFactor(models.Model):
    """A user's authenticator app (TOTP). The secret is sealed (filmroll.crypto) at rest; a
    secret being set up waits in `pending_secret` until a code from the app confirms it."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="second_factor"
    )
    totp_secret = models.TextField(blank=True)
    pending_secret = models.TextField(blank=True)
    # The time step of the last code accepted: a code is good once, never again in its window.
    last_step = models.BigIntegerField(default=0)
    enabled_at = models.DateTimeField(null=True, blank=True)


class RecoveryCode(models.Model):
    """A single-use code for when the phone and the keys are lost; only its HMAC is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "digest"], name="recovery_code_digest")]


class SecurityKey(models.Model):
    """A WebAuthn credential (a security key or a passkey) registered as a second factor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_keys")
    name = models.CharField(max_length=64)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()  # COSE
    sign_count = models.BigIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)


class Tombstone(models.Model):
    """A username whose account was deleted: nobody may sign up with it until `until`."""

    username = models.CharField(max_length=30, primary_key=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return self.username


class WebSession(models.Model):
    """The key of a web session that signed a person in (accounts/sessions.py): what lets every
    session of theirs, on every device, end at once, in whichever store keeps sessions."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    created = models.DateTimeField(default=timezone.now)
