from django.db import models


class Export(models.Model):
    """One "Download your data" archive: asked for, built by a task, kept until `expires`."""

    user_id = models.BigIntegerField(db_index=True)
    # the archive's private storage key (files/storage.save_private), once built
    key = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(default=0)
    requested = models.DateTimeField()
    ready = models.DateTimeField(null=True)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-requested"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id}"
