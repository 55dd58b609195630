from filmroll.push import notify
from filmroll.tasks.registry import task


@task("push.deliver", queue="default")
def deliver(user_id: int, event_id: int) -> None:
    notify.deliver(user_id, event_id)
