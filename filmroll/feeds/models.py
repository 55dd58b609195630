from django.db import models


class Celebrity(models.Model):
    """An account with more followers than FILMROLL_FANOUT_LIMIT: its posts are not fanned out
    but merged into its followers' feeds when they read them."""

    user_id = models.BigIntegerField(primary_key=True)


class ActivitySeen(models.Model):
    """The newest activity event a user has looked at: what is newer counts as unread."""

    user_id = models.BigIntegerField(primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
