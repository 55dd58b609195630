from filmroll.feeds import home
from filmroll.tasks.dispatch import enqueue
from filmroll.tasks.registry import task


@task("feeds.fan_out", queue="fanout")
def fan_out(media_id: int) -> None:
    for after, through in home.fan_out(media_id):  # ranges of followers, delivered side by side
        enqueue("feeds.deliver", media_id, after, through)


@task("feeds.deliver", queue="fanout")
def deliver(media_id: int, after: int, through: int | None) -> None:
    home.deliver(media_id, after, through)


@task("feeds.note_follower_count", queue="feeds")
def note_follower_count(user_id: int) -> None:
    home.note_follower_count(user_id)


@task("feeds.backfill", queue="feeds")
def backfill(user_id: int, author_id: int) -> None:
    home.backfill(user_id, author_id)


@task("feeds.drop_author", queue="feeds")
def drop_author(user_id: int, author_id: int) -> None:
    home.drop_author(user_id, author_id)


@task("feeds.media_deleted", queue="deletes")
def media_deleted(media_id: int, owner_id: int) -> None:
    home.drop_media(media_id, owner_id)
