"""What real-time subscriptions keep about a person (sharding/personal.py says how this works):
apps' subscriptions to the person, and updates about the person's photos not yet delivered."""

from filmroll.realtime.models import PendingUpdate, Subscription
from filmroll.sharding.personal import Store, media_ids


def _subscriptions(user_id: int) -> None:
    Subscription.objects.filter(object="user", object_id=str(user_id)).delete()
    for batch in media_ids(user_id):
        PendingUpdate.objects.filter(media_id__in=batch).delete()


PERSONAL = [Store("real-time subscriptions and pending updates", _subscriptions)]
