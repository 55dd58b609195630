"""What push keeps about a person (sharding/personal.py says how this works)."""

from filmroll.push.models import Device, Preferences
from filmroll.sharding.personal import Store


def _devices(user_id: int) -> None:
    Device.objects.filter(user_id=user_id).delete()  # and what was sent to them
    Preferences.objects.filter(user_id=user_id).delete()


PERSONAL = [Store("push devices and preferences", _devices)]
