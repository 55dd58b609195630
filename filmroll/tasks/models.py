from django.db import models


class QueuedTask(models.Model):
    """A task waiting in the embedded default's durable queue (in the global database)."""

    queue = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    run_after = models.DateTimeField(db_index=True)
    # A worker holds a task until this time; past it, another worker may take it again.
    leased_until = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)  # of what queued it, for the logs

    class Meta:
        indexes = [models.Index(fields=["queue", "failed", "run_after"])]
