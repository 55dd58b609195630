from filmroll.discovery import popular, writer
from filmroll.places import places
from filmroll.tasks.registry import task


@task("discovery.index_media", queue="index")
def index_media(media_id: int) -> None:
    writer.index_media([media_id])


@task("discovery.index_user", queue="index")
def index_user(user_id: int) -> None:
    writer.index_user(user_id)


@task("discovery.index_place", queue="index")
def index_place(place_id: int) -> None:
    found = places.get_many([place_id]).get(place_id)
    if found is not None:
        writer.index_place(place_id, found["name"], found["latitude"], found["longitude"])


@task("discovery.popular", queue="index", every=600)
def refresh_popular() -> None:
    popular.refresh()
