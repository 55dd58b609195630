"""What the activity store keeps about a person (sharding/personal.py says how this works): the
person's own events, and the events of others that the person caused or that name the person's
photos, and the person's recent actions for the Following tab (others' actions naming the
person or the person's photos too)."""

from filmroll.activity import actions, events
from filmroll.sharding.personal import Naming, Owned, Store


def _actions(user_id: int) -> None:
    actions.store().drop(user_id)  # the Redis list in the cluster (the rows: Owned below)


def _changed(user_ids: list[int]) -> None:
    for user_id in user_ids:  # their unread counts' cached marks (feeds/activity.py)
        events.changed(user_id)


PERSONAL = [
    Owned("activity"),
    Naming("activity", "actor_id", key="user_id", touched=_changed),
    Naming("activity", "media_id", key="user_id", of_media=True, touched=_changed),
    Store("the person's recent actions", _actions),
    Owned("actions", "actor_id"),
    # others' follows of the person, and their likes and comments of the person's photos
    Naming("actions", "target_id", key="actor_id"),
    Naming("actions", "target_id", key="actor_id", of_media=True),
]
