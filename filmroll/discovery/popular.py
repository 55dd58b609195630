"""Popular: recent public photos ranked by engagement with time decay, recomputed by a periodic
task into the index; each read drops what the viewer may not see."""

from __future__ import annotations

import time

from django.db import connections, transaction

from filmroll.discovery.tables import ALIAS
from filmroll.media import cache as media_cache
from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.sharding import ids

WINDOW_DAYS = 7
CANDIDATES = 5000
KEPT = 500


def score(likes: int, comments: int, age_hours: float) -> float:
    """Gravity, as news sites rank: a comment weighs two likes; an hour-old photo needs ~1.8x
    the engagement of a fresh one to rank beside it, a day-old one ~47x."""
    return (likes + 2 * comments + 1) / (age_hours + 2) ** 1.5


def refresh(now: float | None = None) -> int:
    """Rank the newest public photos of the last week; the number kept."""
    now = time.time() if now is None else now
    oldest = ids.lowest_id_at(int((now - WINDOW_DAYS * 86400) * 1000))
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT media_id FROM media_index WHERE media_id >= %s ORDER BY media_id DESC LIMIT %s",
            [oldest, CANDIDATES],
        )
        candidates = [row[0] for row in cursor.fetchall()]
    rows = media_cache.get_many(candidates)
    ranked = sorted(
        rows.values(),
        key=lambda m: (
            -score(m.likes, m.comments, max(0.0, now - ids.millis_of(m.id) / 1000) / 3600),
            -m.id,
        ),
    )[:KEPT]
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("DELETE FROM popular")
        cursor.executemany(
            "INSERT INTO popular (rank, media_id) VALUES (%s, %s)",
            [(rank, m.id) for rank, m in enumerate(ranked)],
        )
    return len(ranked)


def page(viewer_id: int | None, count: int) -> list[Media]:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT media_id FROM popular ORDER BY rank")
        ranked = [row[0] for row in cursor.fetchall()]
    return photos.visible_many(viewer_id, ranked)[:count]


def page_from(viewer_id: int | None, start: int, count: int) -> tuple[list[Media], int | None]:
    """The popular photos the viewer may see from rank `start` on, and the rank the next page
    starts at (None on the last): ranks, not positions among what the viewer sees, so hidden
    photos neither repeat nor push others off a page."""
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT media_id FROM popular WHERE rank >= %s ORDER BY rank", [start])
        ranked = [row[0] for row in cursor.fetchall()]
    shown: list[Media] = []
    for at in range(0, len(ranked), count):
        chunk = ranked[at : at + count]
        seen = {m.id: m for m in photos.visible_many(viewer_id, chunk)}
        for offset, media_id in enumerate(chunk):
            if media_id in seen:
                shown.append(seen[media_id])
                if len(shown) == count:
                    following = start + at + offset + 1
                    return shown, following if following < start + len(ranked) else None
    return shown, None
