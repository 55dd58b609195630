from filmroll.feeds import home
from filmroll.tasks.registry import enqueue, task


@task("feeds.fan_out", queue="fanout")
def fan_out(media_id: int, after: int = 0) -> None:
    more = home.fan_out(media_id, after)
    if more is not None:  # a big fan-out goes on in further tasks, batch by batch
        enqueue("feeds.fan_out", media_id, more)


@task("feeds.backfill", queue="feeds")
def backfill(user_id: int, author_id: int) -> None:
    home.backfill(user_id, author_id)


@task("feeds.drop_author", queue="feeds")
def drop_author(user_id: int, author_id: int) -> None:
    home.drop_author(user_id, author_id)


@task("feeds.media_deleted", queue="deletes")
def media_deleted(media_id: int, owner_id: int) -> None:
    home.drop_media(media_id, owner_id)
