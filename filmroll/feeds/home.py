"""The home feed: fan-out on write into the feed store, read with fall-backs to the shards.

Reading takes IDs from the feed store (rebuilding a missing feed from the shards first), reads
past the cap from the shards, merges in the recent posts of followed accounts too big to fan
out, then takes rows from the cache and drops what the viewer may no longer see.
"""

from __future__ import annotations

import functools
import time
from itertools import islice

from django.conf import settings

from filmroll.accounts import counts
from filmroll.feeds.models import Celebrity
from filmroll.feeds.store import store
from filmroll.graph import edges, mutes
from filmroll.media import cache as media_cache
from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.observe import metrics
from filmroll.sharding import db, ids, replicas


def followees(user_id: int) -> list[int]:
    return edges.page("following", user_id, None, 1_000_000)


def recent(author_ids: list[int], before: int | None, limit: int) -> list[int]:
    """The newest media IDs of these authors below `before`, from the shards."""
    return db.newest_by_keys("media", author_ids, "user_id", before, limit)


@replicas.on_primary  # the rebuilt feed is kept: it must not miss what a replica lacks
def rebuild(user_id: int) -> list[int]:
    """Rebuild one feed from the graph and the media: the user's own posts and those of everyone
    they follow (accounts too big to fan out included: their posts are merged anyway)."""
    media_ids = recent([user_id, *followees(user_id)], None, settings.FILMROLL.feed_cap)
    store().replace(user_id, media_ids)
    return media_ids


def celebrities() -> list[int]:
    """Accounts too big to fan out. Every feed read asks, so each process keeps the list for a
    minute: an account that just crossed the limit is merged in a minute late at worst."""
    now = time.monotonic()
    if _celebrities[0] < now:
        _celebrities[:] = [now + 60, list(Celebrity.objects.values_list("user_id", flat=True))]
    return _celebrities[1]


_celebrities: list = [0.0, []]  # [expires at, user IDs]


def forget_celebrities() -> None:
    _celebrities[0] = 0.0


def note_follower_count(user_id: int) -> None:
    """Mark or unmark an account as too big to fan out, as its follower count crosses the limit."""
    big = counts.for_users([user_id])[user_id]["followed_by"] > settings.FILMROLL.fanout_limit
    if big != Celebrity.objects.filter(user_id=user_id).exists():
        if big:
            Celebrity.objects.get_or_create(user_id=user_id)
        else:
            Celebrity.objects.filter(user_id=user_id).delete()
        forget_celebrities()


def fan_out(media_id: int) -> list[tuple[int, int | None]]:
    """Deliver a new post to its owner's feed; the ranges of followers to deliver it to, each
    about FILMROLL_FANOUT_BATCH long, for tasks that workers run side by side."""
    media = media_cache.get_many([media_id]).get(media_id)
    if media is None:
        return []
    store().add([media.user_id], media_id)
    if media.user_id in celebrities():
        return []  # merged in at read time instead
    return follower_ranges(media.user_id)


def follower_ranges(user_id: int) -> list[tuple[int, int | None]]:
    """A user's followers cut into (after, through] ranges by follower ID, the last one open:
    one index-only pass numbering the rows."""
    rows = db.fetchall(
        ids.shard_of(user_id),
        "SELECT follower_id FROM (SELECT follower_id, row_number() OVER (ORDER BY follower_id) AS n"
        " FROM {followers} WHERE user_id = %s) AS numbered WHERE n %% %s = 0 ORDER BY follower_id",
        [user_id, settings.FILMROLL.fanout_batch],
    )
    bounds = [0, *(row[0] for row in rows)]
    return [(low, high) for low, high in zip(bounds, [*bounds[1:], None], strict=True)]


def deliver(media_id: int, after: int, through: int | None) -> int:
    """Put the post into the feeds of the owner's followers in one range. Idempotent: a post
    lands in a feed at most once, so a redelivered task does no harm."""
    media = media_cache.get_many([media_id]).get(media_id)
    if media is None:
        return 0
    upper = "" if through is None else " AND follower_id <= %s"
    rows = db.fetchall(
        ids.shard_of(media.user_id),
        f"SELECT follower_id FROM {{followers}} WHERE user_id = %s AND follower_id > %s{upper}",
        [media.user_id, after, *([] if through is None else [through])],
    )
    delivered = store().add([row[0] for row in rows], media_id)
    metrics.DELIVERIES.inc(delivered)
    metrics.FANOUT_LAG.observe(max(0.0, time.time() - ids.millis_of(media_id) / 1000))
    return delivered


def _followers_after(user_id: int, after: int | None) -> list[int]:
    """One batch of a user's followers, in ID order, after `after`."""
    rows = db.page(
        ids.shard_of(user_id),
        "SELECT follower_id FROM {followers} WHERE user_id = %s",
        [user_id],
        db.Keyset("follower_id", after, settings.FILMROLL.fanout_batch, newest_first=False),
    )
    return [row[0] for row in rows]


def backfill(user_id: int, author_id: int, limit: int = 30) -> None:
    """After a follow: the author's recent posts into the follower's feed."""
    feeds = store()
    for media_id in recent([author_id], None, limit):
        feeds.add([user_id], media_id)


def drop_author(user_id: int, author_id: int) -> None:
    """After an unfollow or a block: the author's posts out of the user's feed."""
    feed = store().read(user_id)
    if feed:
        authored = set(recent([author_id], None, settings.FILMROLL.feed_cap))
        store().remove(user_id, [m for m in feed if m in authored])


def drop_media(media_id: int, owner_id: int) -> None:
    """After a delete: the post out of the owner's and every follower's feed."""
    feeds = store()
    feeds.remove(owner_id, [media_id])
    after = None
    while followers := _followers_after(owner_id, after):
        feeds.remove_everywhere(followers, media_id)  # batched, never a call per follower
        after = followers[-1]


def _candidates(viewer_id: int, max_id: int | None, min_id: int | None, want: int) -> list[int]:
    """Media IDs for one page, newest first, before visibility is applied."""
    cap = settings.FILMROLL.feed_cap
    feed = store().read(viewer_id)
    if feed is None:
        feed = rebuild(viewer_id)
    # the first `want` in range, without looking past them (a feed holds up to the cap, 1000)
    found = list(
        islice(
            (m for m in feed if (max_id is None or m < max_id) and (min_id is None or m > min_id)),
            want,
        )
    )
    if len(found) < want and len(feed) >= cap:
        # Scrolled past the cap: older posts come from the shards, with no dead end.
        before = min([*found, *([max_id] if max_id else []), feed[-1]])
        older = recent([viewer_id, *followees(viewer_id)], before, want - len(found))
        found += [m for m in older if min_id is None or m > min_id]
    big = edges.followed_among(viewer_id, celebrities())
    if big:
        merged = recent(list(big), max_id, want)
        found = sorted(
            set(found) | {m for m in merged if min_id is None or m > min_id}, reverse=True
        )
    return found[:want]


def read(
    viewer_id: int, count: int, max_id: int | None = None, min_id: int | None = None
) -> tuple[list[Media], int | None]:
    """One page of the viewer's home feed, newest first, and the cursor for the next page (None
    on the last). Items the viewer may no longer see are skipped, never shown, and so are the
    posts of people the viewer muted (at read time: unmuting brings them back at once). The
    mute set comes in the page's first multi-get (photos._rows_and_owners), as the block set,
    and is asked for once a page."""
    muted = functools.cache(lambda: mutes.muted_by(viewer_id))
    return photos.visible_page(
        viewer_id,
        lambda before, want: _candidates(viewer_id, before, min_id, want),
        max_id,
        count,
        keep=lambda m: m.user_id not in muted(),
    )
