from django.db import models


class Celebrity(models.Model):
    """An account with more followers than FILMROLL_FANOUT_LIMIT: its posts are not fanned out
    but merged into its followers' feeds when they read them."""

    user_id = models.BigIntegerField(primary_key=True)
