from django.db import models


class Device(models.Model):
    """Where a user's notifications go: an iOS device (APNs), an Android one (FCM), or a
    browser's Web Push subscription (its endpoint and keys, as JSON, in `token`)."""

    PLATFORMS = ("apns", "fcm", "webpush")

    user_id = models.BigIntegerField(db_index=True)
    platform = models.CharField(max_length=8)
    token = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "token"], name="device_once")]


class Preferences(models.Model):
    """Which kinds of activity a user is pushed; every kind is on until turned off."""

    user_id = models.BigIntegerField(primary_key=True)
    off = models.JSONField(default=list)  # kinds turned off


class Sent(models.Model):
    """One event pushed to one device: a retried task skips what was already sent."""

    event_id = models.BigIntegerField()
    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id", "device"], name="sent_once")]
