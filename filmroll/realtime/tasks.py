from filmroll.realtime import subscriptions
from filmroll.tasks.registry import task


@task("realtime.media_posted", queue="default")
def media_posted(media_id: int) -> None:
    subscriptions.media_posted(media_id)


# One more attempt than a subscription's failures allowed, so the last failure switches it off.
@task("realtime.deliver", queue="default", max_attempts=subscriptions.MAX_FAILURES + 1)
def deliver(subscription_id: int) -> None:
    subscriptions.deliver(subscription_id)
