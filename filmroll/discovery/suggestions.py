"""People to follow: friends of friends ranked by how many of the people you follow follow
them, then popular accounts that post near the places of your own photos, then (for a new
account with neither) the people behind popular photos and the newest accounts.

Never suggested: yourself, anyone in a block with you either way, anyone you follow or asked
to follow, anyone you dismissed, deactivated accounts. Private accounts may be suggested: a
suggestion is a person, never their photos (the visibility rule hides those as anywhere else).

The reads are bounded whatever the graph's size: your newest MAX_FRIENDS follows, each one's
newest PER_FRIEND follows (one query per physical database), your newest PLACES geotagged
photos' points (one query on your shard) and one query of the discovery index per distinct
point. Exclusions are checked on the ranked candidates a chunk at a time, so a big candidate
list costs a few small queries, not one per person.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections

from filmroll.accounts import counts, users
from filmroll.accounts.models import User
from filmroll.discovery import popular
from filmroll.discovery.geosql import within
from filmroll.discovery.tables import ALIAS
from filmroll.graph import edges, visibility
from filmroll.sharding import db, ids

MAX_FRIENDS = 200  # the viewer's newest follows whose follows are counted
PER_FRIEND = 200  # each friend's newest follows counted
PLACES = 20  # the viewer's newest geotagged photos whose surroundings are searched
NEAR_METRES = 5000  # "near": within 5 km of one of those photos
NEAR_PER_POINT = 500  # photos of others read from the index around each point
CHUNK = 100  # candidates checked against the exclusions at a time

MUTUAL, NEARBY, POPULAR = "mutual", "nearby", "popular"


@dataclass(frozen=True)
class Suggestion:
    user: User
    reason: str  # MUTUAL, NEARBY or POPULAR
    mutual_count: int  # how many of the people the viewer follows follow this person


def for_user(viewer_id: int, count: int) -> list[Suggestion]:
    """Up to `count` people to suggest, best first."""
    friends = edges.page("following", viewer_id, None, MAX_FRIENDS)
    mutual = _mutual(friends)
    ranked: list[tuple[int, str]] = []
    if mutual:
        followers = counts.for_users(mutual)
        order = sorted(mutual, key=lambda u: (-mutual[u], -followers[u]["followed_by"], -u))
        ranked += [(u, MUTUAL) for u in order]
    ranked += [(u, NEARBY) for u in _nearby(viewer_id)]
    ranked += [(u, POPULAR) for u in _popular(viewer_id)]
    shown: list[Suggestion] = []
    seen: set[int] = {viewer_id, *friends}
    for chunk in _chunks(ranked, seen):
        wanted = _allowed(viewer_id, [u for u, _ in chunk])
        people = {p.id: p for p in visibility.visible_people_by_id(viewer_id, wanted)}
        for user_id, reason in chunk:
            if user_id in people:
                shown.append(Suggestion(people[user_id], reason, mutual.get(user_id, 0)))
                if len(shown) == count:
                    return shown
    return shown


def _chunks(ranked: list[tuple[int, str]], seen: set[int]) -> Iterator[list[tuple[int, str]]]:
    """The ranked candidates, each person once (at their best reason), CHUNK at a time."""
    chunk: list[tuple[int, str]] = []
    for user_id, reason in ranked:
        if user_id in seen:
            continue
        seen.add(user_id)
        chunk.append((user_id, reason))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _mutual(friends: list[int]) -> Counter[int]:
    """Everyone the friends follow, with how many of them follow each."""
    rows = db.latest_by_keys("following", friends, "user_id", "target_id", "created_ms", PER_FRIEND)
    return Counter(row[1] for row in rows)


def _nearby(viewer_id: int) -> list[int]:
    """Others who posted public photos near the viewer's own newest geotagged photos, those
    with the most followers first (the index holds public photos of active accounts only)."""
    points = db.fetchall(
        ids.shard_of(viewer_id),
        "SELECT latitude, longitude FROM {media} WHERE user_id = %s AND latitude IS NOT NULL"
        " ORDER BY id DESC LIMIT %s",
        [viewer_id, PLACES],
    )
    # about 1 km apart at most: photos taken at one place ask the index once
    distinct = {(round(lat, 2), round(lng, 2)) for lat, lng in points}
    posted: Counter[int] = Counter()
    with connections[ALIAS].cursor() as cursor:
        for lat, lng in distinct:
            near, params = within("media_index", lat, lng, NEAR_METRES)
            cursor.execute(
                f"SELECT user_id FROM media_index WHERE {near} AND user_id <> %s"
                " ORDER BY media_id DESC LIMIT %s",
                [*params, viewer_id, NEAR_PER_POINT],
            )
            posted.update(row[0] for row in cursor.fetchall())
    if not posted:
        return []
    followers = counts.for_users(posted)
    return sorted(posted, key=lambda u: (-followers[u]["followed_by"], -posted[u], -u))


def _popular(viewer_id: int) -> list[int]:
    """For an account with nothing to go on: who posted the popular photos, then the newest."""
    ranked = [m.user_id for m in popular.page(viewer_id, 60)]
    newest = User.objects.filter(is_active=True).order_by("-date_joined")
    return list(dict.fromkeys([*ranked, *newest.values_list("id", flat=True)[:50]]))


def _allowed(viewer_id: int, candidates: list[int]) -> list[int]:
    """Those of `candidates` the viewer does not follow, has not asked to follow, has not
    dismissed (blocks and deactivated accounts are the visibility rule's)."""
    followed = edges.followed_among(viewer_id, candidates)
    dismissed = db.which(viewer_id, "suggestion_dismissals", "dismissed_id", candidates)
    requested = {
        row[0]
        for row in db.select_by_keys(
            "follow_requests", candidates, "requester_id", key="user_id",
            where="requester_id = %s", params=[viewer_id],
        )
    }  # fmt: skip
    unwanted = followed | dismissed | requested
    return [c for c in candidates if c not in unwanted]


def dismiss(viewer_id: int, raw_id: Any) -> None:
    """Never suggest this person to the viewer again. Idempotent; NotFound for no such user."""
    user_id = users.get_user(raw_id).id
    db.execute(
        ids.shard_of(viewer_id),
        "INSERT INTO {suggestion_dismissals} (user_id, dismissed_id, created_ms)"
        " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [viewer_id, user_id, int(time.time() * 1000)],
    )
