"""People in photos ("Photos of you"). The owner tags people at a position on the photo; the
tags live in the photo's row (`media.people`, on the owner's shard: the truth, cached and
versioned with the photo), and each tagged person's shard keeps a reverse row (`photos_of`) for
their "Photos of you" tab, made to match by `settle` through the outbox, as likes and follows
are (sharding/outbox.py).

Who sees a tagged photo is the photo's rule (graph/visibility.py), never the tagged person's. A
tagged person who may not see the photo (a private owner they do not follow) does not learn of
it: no activity, no push, and it is in nobody's view of their tab, their own included.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.errors import Conflict, Forbidden, Invalid, NotFound
from filmroll.graph import edges, visibility
from filmroll.media import cache, photos
from filmroll.media.rows import Media
from filmroll.sharding import db, ids, outbox, replicas
from filmroll.wellformed import load_json

MAX_PEOPLE = 20
SETTLE = "media.settle_people"  # media/tasks.py
SETTLE_ROUNDS = 5
FIELD = "users_in_photo"

Tag = tuple[int, float, float]  # (user_id, x, y); x and y from 0 to 1, left and top


# --- checking what the owner asks for --------------------------------------------------------


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise Invalid(f"{FIELD}: {name} must be a number from 0 to 1")
    if not 0 <= raw <= 1:
        raise Invalid(f"{FIELD}: {name} must be from 0 to 1")
    return round(float(raw), 4)


def _item(raw: Any) -> tuple[str, str, float, float]:
    """One tag as given: ("id" or "name", its value, x, y). Takes `user_id` or `username`, and
    also the media object's own shape ({"user": {...}, "position": {x, y}})."""
    if not isinstance(raw, dict):
        raise Invalid(f'{FIELD} must be a list of {{"user_id" or "username", "x", "y"}}')
    person, where = raw.get("user"), raw.get("position")
    where = where if isinstance(where, dict) else raw
    if isinstance(person, dict):  # a user object names its person by ID (its name comes along)
        user_id, username = person.get("id"), None if "id" in person else person.get("username")
    else:
        user_id, username = raw.get("user_id"), raw.get("username")
    if (user_id is None) == (username is None):
        raise Invalid(f"{FIELD}: give each person's user_id or username (one of them)")
    x, y = _number(where.get("x"), "x"), _number(where.get("y"), "y")
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, (int, str)):
            raise Invalid(f"{FIELD}: user_id must be an ID")
        return "id", str(user_id), x, y
    if not isinstance(username, str) or not username.strip():
        raise Invalid(f"{FIELD}: username must be a name")
    return "name", username.strip().lstrip("@").lower(), x, y


def parse(raw: Any) -> list[tuple[str, str, float, float]] | None:
    """The API's field: JSON text (a form field) or a list (a JSON body); None when not given."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = load_json(raw, FIELD) if raw.strip() else []
    if not isinstance(raw, list):
        raise Invalid(f'{FIELD} must be a list of {{"user_id" or "username", "x", "y"}}')
    if len(raw) > MAX_PEOPLE:
        raise Invalid(f"{FIELD}: at most {MAX_PEOPLE} people in a photo")
    return [_item(item) for item in raw]


# The web form's field: names, each with an optional position, "bo(0.3,0.6) carol" (no
# position: the centre), apart by spaces or commas.
WORD = re.compile(r"@?([A-Za-z0-9._]{1,30})(?:\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\))?")


def parse_text(raw: Any) -> list[tuple[str, str, float, float]] | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid(f"{FIELD} must be text")
    found, at = [], 0
    for match in WORD.finditer(raw):
        if raw[at : match.start()].strip(" ,\t\r\n"):
            break
        name, x, y = match.group(1), match.group(2), match.group(3)
        try:
            point = (float(x), float(y)) if x is not None else (0.5, 0.5)
        except ValueError:
            raise Invalid(f"{FIELD}: {name}'s position must be two numbers from 0 to 1") from None
        found.append({"username": name, "x": point[0], "y": point[1]})
        at = match.end()
    if raw[at:].strip(" ,\t\r\n"):
        raise Invalid(f"{FIELD}: write names, each with an optional position: bo(0.3,0.6) carol")
    return parse(found)


def check(owner: User, given: list[tuple[str, str, float, float]]) -> list[Tag]:
    """The owner's tags, resolved to people: unknown people, people in a block with the owner
    (either way: the same words, so a block is not told), duplicates are refused."""
    by_id = {v for kind, v, _, _ in given if kind == "id" and v.isascii() and v.isdigit()}
    by_name = {v for kind, v, _, _ in given if kind == "name"}
    found = list(User.objects.filter(id__in=[int(v) for v in by_id if len(v) < 20], is_active=True))
    found += User.objects.filter(username__in=by_name, is_active=True)
    ids_of = {str(u.id): u.id for u in found} | {u.username: u.id for u in found}
    blocked = edges.blocked_between(owner.id, [u.id for u in found if u.id != owner.id])
    tags: list[Tag] = []
    for _, value, x, y in given:
        user_id = ids_of.get(value)
        if user_id is None or user_id in blocked:
            raise Invalid(f"{FIELD}: {value} cannot be tagged")
        if any(t[0] == user_id for t in tags):
            named = next(u.username for u in found if u.id == user_id)
            raise Invalid(f"{FIELD}: {named} is tagged twice")
        tags.append((user_id, x, y))
    return tags


def for_edit(user: User, raw_id: Any, raw: Any) -> list[Tag] | None:
    """The people an edit of the photo names, checked once the photo is (a photo the user may
    not see, or another's, is refused first, as every edit refuses it); None: not given."""
    if raw is None:
        return None
    _, owner = photos.visible(user.id, raw_id)
    if owner.id != user.id:
        raise Forbidden("only the owner may edit a photo")
    return check(user, parse(raw) or [])


# --- writing: the photo's side, then the people's -------------------------------------------


@replicas.on_primary
def _stored(media_id: int) -> tuple[int, str] | None:
    """The photo's owner and its people as stored (JSON text), from the primary."""
    return db.fetchone(
        ids.shard_of(media_id), "SELECT user_id, people FROM {media} WHERE id = %s", [media_id]
    )


def _change(media_id: int, edit: Callable[[list[Tag]], list[Tag]]) -> None:
    """Replace the photo's people with `edit(current)`: the row and an outbox record naming
    everyone added or removed commit together (a compare-and-set on the stored text, so two
    edits at once both count); then their sides are settled at once."""
    shard = ids.shard_of(media_id)
    for _ in range(SETTLE_ROUNDS):
        stored = _stored(media_id)
        if stored is None:
            raise NotFound("no such media")
        owner_id, text = stored
        current: list[Tag] = [(int(u), x, y) for u, x, y in json.loads(text)]
        wanted = edit(current)
        changed = sorted({t[0] for t in current} ^ {t[0] for t in wanted})
        with db.atomic(shard):
            done = db.execute(
                shard,
                "UPDATE {media} SET people = %s WHERE id = %s AND people = %s",
                [json.dumps([list(t) for t in wanted]), media_id, text],
            )
            if done:
                cache.invalidate(media_id)  # a new version: the media object's fragment too
                record = outbox.remember(shard, SETTLE, owner_id, media_id, changed)
        if done:
            break
    else:
        raise Conflict("the photo's people kept changing: try again")
    if changed:
        outbox.finish(shard, record, lambda: settle(owner_id, media_id, changed))
    else:  # only places moved: nobody's side changes
        outbox.done(shard, record)


def tag(owner: User, raw_id: Any, tags: list[Tag]) -> None:
    """The owner sets who is in the photo (all of them: anyone left out is untagged)."""
    media, found = photos.visible(owner.id, raw_id)
    if found.id != owner.id:
        raise Forbidden("only the owner may tag people in a photo")
    _change(media.id, lambda _: list(tags))


def untag_self(user: User, raw_id: Any) -> None:
    """A tagged person takes their own tag off a photo they see. Untagging twice is fine."""
    media, _ = photos.visible(user.id, raw_id)
    if all(t[0] != user.id for t in media.people):
        settle(media.user_id, media.id, [user.id])  # repairs a side an earlier attempt left
        return
    _change(media.id, partial(_without, user.id))


def untag_between(user_id: int, other_id: int) -> None:
    """A block between two people takes each off the other's photos (a tag of someone in a
    block with the owner is refused, and one made before the block goes with it). Idempotent:
    found through the tagged person's `photos_of` rows."""
    for tagged, owner in ((user_id, other_id), (other_id, user_id)):
        rows = db.fetchall(
            ids.shard_of(tagged),
            "SELECT media_id FROM {photos_of} WHERE user_id = %s AND owner_id = %s",
            [tagged, owner],
        )
        for (media_id,) in rows:
            _untag(media_id, owner, tagged)


def untag_everywhere(user_id: int) -> None:
    """The person's tags go from every photo they are in (an account purged). Idempotent."""
    rows = db.fetchall(
        ids.shard_of(user_id),
        "SELECT media_id, owner_id FROM {photos_of} WHERE user_id = %s",
        [user_id],
    )
    for media_id, owner_id in rows:
        _untag(media_id, owner_id, user_id)


def _untag(media_id: int, owner_id: int, user_id: int) -> None:
    try:
        _change(media_id, partial(_without, user_id))
    except NotFound:  # the photo went meanwhile: settle its rows away
        settle(owner_id, media_id, [user_id])


def _without(user_id: int, tags: list[Tag]) -> list[Tag]:
    return [t for t in tags if t[0] != user_id]


def hide(user: User, raw_id: Any, hidden: bool) -> None:
    """A tagged person takes the photo off their "Photos of you" tab, or puts it back; it stays
    tagged."""
    media, _ = photos.visible(user.id, raw_id)
    if all(t[0] != user.id for t in media.people):
        raise NotFound("you are not tagged in this photo")
    settle(media.user_id, media.id, [user.id])  # their row is there before it is changed
    db.execute(
        ids.shard_of(user.id),
        "UPDATE {photos_of} SET hidden = %s WHERE user_id = %s AND media_id = %s",
        [1 if hidden else 0, user.id, media.id],
    )


def is_hidden(user_id: int, media_id: int) -> bool:
    row = db.fetchone(
        ids.shard_of(user_id),
        "SELECT hidden FROM {photos_of} WHERE user_id = %s AND media_id = %s",
        [user_id, media_id],
    )
    return bool(row and row[0])


def _tagged(media_id: int, user_id: int) -> bool:
    stored = _stored(media_id)
    return stored is not None and any(int(t[0]) == user_id for t in json.loads(stored[1]))


def settle(owner_id: int, media_id: int, user_ids: Iterable[int]) -> None:
    """Make each person's side (`photos_of`, and the "tagged you" event) match the photo's,
    which is the truth (a deleted photo tags nobody). Idempotent; reads the photo's side again
    after writing, so concurrent settles end agreeing with the last change."""
    for user_id in user_ids:
        outbox.settle(
            partial(_tagged, media_id, user_id),
            partial(_mirror, owner_id, media_id, user_id),
            f"the people of {media_id}",
        )


def _mirror(owner_id: int, media_id: int, user_id: int, wanted: bool) -> None:
    shard = ids.shard_of(user_id)
    with db.atomic(shard):
        if wanted:
            moved = db.execute(
                shard,
                "INSERT INTO {photos_of} (user_id, media_id, owner_id, hidden, created_ms)"
                " VALUES (%s, %s, %s, 0, %s) ON CONFLICT DO NOTHING",
                [user_id, media_id, owner_id, int(time.time() * 1000)],
            )
            owner = User.objects.filter(id=owner_id).first() if moved else None
            # only someone who may see the photo learns of it (the push goes with the event)
            if owner is not None and visibility.can_see(user_id, owner):
                events.record(user_id, "tag", owner_id, media_id)
        elif db.execute(
            shard,
            "DELETE FROM {photos_of} WHERE user_id = %s AND media_id = %s",
            [user_id, media_id],
        ):
            events.forget(user_id, "tag", owner_id, media_id)


# --- reading: the "Photos of you" tab --------------------------------------------------------


def _shown(viewer_id: int | None, person: User, found: list[int]) -> list[Media]:
    """Of these photos, those both the viewer and the tagged person may see (the photo's rule
    for each), that still tag the person."""
    seen = [
        m for m in photos.visible_many(viewer_id, found) if any(t[0] == person.id for t in m.people)
    ]
    if viewer_id == person.id:
        return seen
    allowed = visibility.visible_owners(person.id, {m.owner.id: m.owner for m in seen}.values())
    return [m for m in seen if m.user_id in allowed]


def tab_page(
    viewer_id: int | None, person: User, before: int | None, count: int
) -> tuple[list[Media], int | None]:
    """A page of the photos `person` is tagged in and has not hidden, newest photo first, as
    `viewer` may see them, and the next page's cursor (None on the last). Photos dropped are
    skipped, never counted."""
    page: list[Media] = []
    while True:
        want = count - len(page) + 1  # one more than needed tells whether there is a next page
        rows = db.page(
            ids.shard_of(person.id),
            "SELECT media_id FROM {photos_of} WHERE user_id = %s AND hidden = 0",
            [person.id],
            db.Keyset("media_id", before, want),
        )
        found = [row[0] for row in rows]
        page += _shown(viewer_id, person, found)
        if len(page) > count:
            return page[:count], page[count - 1].id
        if len(found) < want:
            return page, None
        before = found[-1]
