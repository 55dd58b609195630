from django.db import models


class RateCount(models.Model):
    """Requests counted against one key in one hour, for the embedded default (a cluster counts
    in Redis instead)."""

    key = models.CharField(max_length=200)
    slot = models.BigIntegerField()  # Unix hour
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="ratecount_key_slot")]
