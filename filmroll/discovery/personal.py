"""What the discovery index holds of a person (sharding/personal.py says how this works): the
person's photos under their tags and places, and in the popular page; and the suggestions the
person dismissed, or that others dismissed of the person."""

from django.db import connections, transaction

from filmroll.discovery import writer
from filmroll.discovery.tables import ALIAS
from filmroll.sharding.personal import Naming, Owned, Store, media_ids


def _index(user_id: int) -> None:
    """The account is inactive by now, so indexing its photos again takes them out."""
    for batch in media_ids(user_id):
        writer.index_media(batch)
        marks = ", ".join(["%s"] * len(batch))
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute(f"DELETE FROM popular WHERE media_id IN ({marks})", batch)


PERSONAL = [
    Store("the discovery index (tags, places, popular)", _index),
    Owned("suggestion_dismissals"),
    Naming("suggestion_dismissals", "dismissed_id", key="user_id"),
]
