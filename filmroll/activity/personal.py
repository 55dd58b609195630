"""What the activity store keeps about a person (sharding/personal.py says how this works): the
person's own events, and the events of others that the person caused or that name the person's
photos."""

from filmroll.sharding.personal import Naming, Owned

PERSONAL = [
    Owned("activity"),
    Naming("activity", "actor_id", key="user_id"),
    Naming("activity", "media_id", key="user_id", of_media=True),
]
