from django.db import models


class Report(models.Model):
    """Someone asked staff to look at a photo."""

    media_id = models.BigIntegerField(db_index=True)
    reporter_id = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(max_length=20, blank=True)  # "removed" or "dismissed"

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["media_id", "reporter_id"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"report of {self.media_id}: {self.reason[:40]}"
