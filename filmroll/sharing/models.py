from django.db import models


class Account(models.Model):
    """Another network a user connected, to share new photos to. The token is sealed at rest
    (filmroll.crypto)."""

    PROVIDERS = ("mastodon", "x", "facebook", "tumblr", "flickr")

    user_id = models.BigIntegerField()
    provider = models.CharField(max_length=16)
    base_url = models.URLField(blank=True)  # a Mastodon instance
    handle = models.CharField(max_length=200, blank=True)  # who the token acts for, as shown
    target = models.CharField(max_length=100, blank=True)  # Facebook: the page ID; Tumblr: the blog
    token = models.TextField()  # Flickr: its OAuth 1.0a token and secret, as JSON
    active = models.BooleanField(default=True)
    problem = models.TextField(blank=True)  # why it was disconnected, for the user
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "provider"], name="one_account_each")
        ]


class Share(models.Model):
    """One photo going out to one connected account.

    pending -> posting -> done; a refused attempt goes back to pending for the retry. A share
    left "posting" (the attempt died without an answer) may have been posted: it is retried
    only where the provider honours the idempotency key (Mastodon), and otherwise marked
    uncertain rather than risk posting twice."""

    media_id = models.BigIntegerField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    key = models.CharField(max_length=64)  # the idempotency key, the same on every attempt
    state = models.CharField(max_length=12, default="pending")
    remote_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["media_id", "account"], name="share_once")]
