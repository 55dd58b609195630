"""Users live in the global database; their ID is made on their own logical shard."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

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

    def get_by_natural_key(self, username: str | None) -> User:
        # None (the base class allows it) names nobody, as the empty name does
        return self.get(username=self.model.normalize_username(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.BigIntegerField(primary_key=True)
    # Stored folded to lower case, which makes the unique index case-blind.
    username = models.CharField(max_length=30, unique=True)
    email = models.EmailField(blank=True)
    full_name = models.CharField(max_length=64, blank=True)
    # The full name case-folded (any script), kept by save(): people search matches its start.
    name_key = models.CharField(max_length=64, blank=True, editable=False)
    bio = models.CharField(max_length=150, blank=True)
    website = models.URLField(max_length=200, blank=True)
    is_private = models.BooleanField(default=False)
    avatar_key = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Set when the person asked to delete the account (is_active is then False: gone everywhere,
    # as a deactivated account is); logging in before then restores it, after it the purge
    # (leaving/purge.py) removes everything. See accounts/leaving.py.
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
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def shard(self) -> int:
        return ids.shard_of(self.id)

    def __str__(self) -> str:
        return self.username


class Tombstone(models.Model):
    """A username whose account was deleted: nobody may sign up with it until `until`."""

    username = models.CharField(max_length=30, primary_key=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return self.username
