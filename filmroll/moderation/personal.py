"""What moderation keeps about a person (sharding/personal.py says how this works): the reports
the person made, and those of the person's photos."""

from filmroll.moderation.models import Report
from filmroll.sharding.personal import Store, media_ids


def _reports(user_id: int) -> None:
    Report.objects.filter(reporter_id=user_id).delete()
    for batch in media_ids(user_id):
        Report.objects.filter(media_id__in=batch).delete()


PERSONAL = [Store("reports", _reports)]
