"""The activity feed as people read it, assembled once for the API and the web page: events from
the store (filmroll/activity), less those whose actor or photo the viewer may no longer see
(blocks either way, deactivated accounts, photos gone private or deleted) and those of people
the viewer muted, likes and follows of one photo grouped, and what has been seen of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, router

from filmroll import objcache
from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.activity.events import Event
from filmroll.feeds.models import ActivitySeen
from filmroll.graph import mutes, visibility
from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.sharding import ids

GROUPED = ("like", "follow")  # several people liking one photo read as one line


@dataclass
class Item:
    kind: str
    actors: list[User]
    media: Media | None
    text: str
    created: int  # seconds since the epoch, of the newest event in the item
    newest_id: int
    event_ids: list[int] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The event's own text (a comment), else "ana, bo and 3 others liked your photo." """
        if self.text:
            return self.text
        names = [u.username for u in self.actors]
        if len(names) > 3:
            who = f"{names[0]}, {names[1]} and {len(names) - 2} others"
        else:
            who = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        return {
            "like": f"{who} liked your photo.",
            "follow": f"{who} started following you.",
            "follow_request": f"{who} asked to follow you.",
            "tag": f"{who} tagged you in a photo.",
        }.get(self.kind, "")


def _shown(viewer_id: int, found: list[Event]) -> tuple[dict[int, User], dict[int, Media]]:
    """Of these events' actors and photos, those the viewer may still see; people the viewer
    muted are left out at read time (their events stay stored: unmuting brings them back)."""
    muted = mutes.muted_by(viewer_id) if found else frozenset()
    actors = [e.actor_id for e in found if e.actor_id not in muted]
    people = visibility.visible_people_by_id(viewer_id, actors)
    media = photos.visible_many(viewer_id, [e.media_id for e in found if e.media_id])
    return {u.id: u for u in people}, {m.id: m for m in media}


def _keep(event: Event, people: dict[int, User], media: dict[int, Media]) -> bool:
    # someone in a block, gone, or a photo the viewer may no longer see: as if it never happened
    return event.actor_id in people and (not event.media_id or event.media_id in media)


def shown(viewer_id: int, event: Event) -> bool:
    """Whether the event may still be shown (or pushed) to its user."""
    return _keep(event, *_shown(viewer_id, [event]))


def assemble(viewer_id: int, max_id: int | None, count: int) -> tuple[list[Item], int | None]:
    """A page of the viewer's activity, newest first, and the cursor of the next page."""
    page = events.page(viewer_id, max_id, count)
    people, media = _shown(viewer_id, page)
    items: list[Item] = []
    grouped: dict[tuple[str, int | None], Item] = {}
    for event in page:
        if not _keep(event, people, media):
            continue
        key = (event.kind, event.media_id)
        if event.kind in GROUPED and key in grouped:
            grouped[key].actors.append(people[event.actor_id])
            grouped[key].event_ids.append(event.id)
            continue
        item = Item(
            kind=event.kind,
            actors=[people[event.actor_id]],
            media=media.get(event.media_id) if event.media_id else None,
            text=event.text,
            created=ids.millis_of(event.id) // 1000,
            newest_id=event.id,
            event_ids=[event.id],
        )
        items.append(item)
        if event.kind in GROUPED:
            grouped[key] = item
    next_id = page[-1].id if len(page) == count else None
    return items, next_id


def unread(user_id: int, most: int = 99) -> int:
    """How many events arrived since the user last looked (counted up to `most`). Every
    signed-in page asks; on a warm page with nothing new, the answer is one cache read."""
    if settings.FILMROLL.cache_servers:
        marks = objcache.fetch(marks_of(user_id))[0][user_id]
        if marks.newest <= marks.seen:
            return 0  # nothing newer than what was seen: none to count, whoever may see what
        seen = marks.seen
    else:
        seen = _seen(user_id)  # the embedded default caches nothing: the marker alone, as ever
    found = events.newer(user_id, seen, most)
    if not found:
        return 0
    people, media = _shown(user_id, found)
    return sum(_keep(e, people, media) for e in found)


@dataclass(frozen=True)
class Marks:
    """What decides whether a user has anything unread: the newest event looked at and the
    newest event stored (0 for none). Cached under a version per user that every write to
    either replaces (events.changed), so a cached pair is the database's pair now."""

    seen: int
    newest: int


def marks_of(user_id: int) -> objcache.Batch:
    """The rows `unread` reads first: to fetch along with a page's own (objcache.remembering)."""
    return objcache.Batch(events.MARKS, [user_id], _marks)


def _marks(user_ids: list[int]) -> dict[int, Marks]:
    return {u: Marks(_seen(u), events.newest_id(u)) for u in user_ids}


def _seen(user_id: int) -> int:
    """The newest event the user has looked at (0 for none). Every signed-in page asks: one
    plain query, without the ORM's building of it (which cost more than the query)."""
    with connections[router.db_for_read(ActivitySeen)].cursor() as cursor:
        cursor.execute(
            f"SELECT last_event_id FROM {ActivitySeen._meta.db_table} WHERE user_id = %s",
            [user_id],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def mark_seen(user_id: int, shown: list[Item]) -> None:
    if shown:
        newest = max(item.newest_id for item in shown)
        seen, _ = ActivitySeen.objects.get_or_create(user_id=user_id)
        if newest > seen.last_event_id:
            ActivitySeen.objects.filter(user_id=user_id).update(last_event_id=newest)
            events.changed(user_id)
