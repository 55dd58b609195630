"""Background work of rate limiting."""

from filmroll.limits import ratelimit
from filmroll.tasks.registry import task


@task("limits.sweep", queue="default", every=3600)
def sweep() -> None:
    ratelimit.sweep()
