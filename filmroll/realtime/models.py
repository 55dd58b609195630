from django.db import models


class Subscription(models.Model):
    """An app's request to be told when matching public photos are posted (in the global DB)."""

    OBJECTS = ("user", "tag", "location", "geography")

    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE)
    object = models.CharField(max_length=16)
    # a user ID ("" for every user who authorized the app), a tag, a place ID, or for geography
    # the subscription's own ID
    object_id = models.CharField(max_length=200, blank=True)
    aspect = models.CharField(max_length=16, default="media")
    callback_url = models.URLField(max_length=2000)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    radius = models.FloatField(null=True)  # metres
    # the app's client secret, sealed (filmroll.crypto): the key of the callbacks' signatures
    signing_secret = models.TextField()
    active = models.BooleanField(default=True)
    failures = models.PositiveIntegerField(default=0)  # delivery failures in a row
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["object", "object_id", "active"])]


class PendingUpdate(models.Model):
    """An update not yet acknowledged by the subscriber; deleted once its POST answers 2xx."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE)
    media_id = models.BigIntegerField()
    time = models.BigIntegerField()  # Unix seconds of the post
    # a delivery holds its batch under a lease, so two deliveries never send one update twice
    lease = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "media_id"], name="pending_once")
        ]
