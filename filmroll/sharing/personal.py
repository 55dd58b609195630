"""What sharing keeps about a person (sharding/personal.py says how this works)."""

from filmroll.sharding.personal import Store
from filmroll.sharing.models import Account


def _connections(user_id: int) -> None:
    Account.objects.filter(user_id=user_id).delete()  # and its shares


PERSONAL = [Store("connected accounts on other networks", _connections)]
