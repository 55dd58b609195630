"""The shard map, kept in the global database."""

from django.db import models


class LogicalShard(models.Model):
    """One logical shard and the physical database (a FILMROLL_SHARD_DATABASES name) holding it."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    physical = models.CharField(max_length=31)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"shard {self.number} on {self.physical}"


class Counter(models.Model):
    """A named counter bumped atomically with UPDATE ... RETURNING (sign-up round robin)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
