"""The Following tab: what the people the viewer follows did lately (liked a photo, commented,
started following someone), grouped, newest first, as the API and the web page show it.

Read, not fanned out: each person keeps a short list of their own actions (activity/actions.py,
one write per action), and the tab merges the lists of the viewer's followees (at most
FOLLOWEES, the most recently followed) into the newest CANDIDATES actions, kept per viewer for
CACHE_SECONDS. Who may see what is applied on every read, after that cache: an action of someone
no longer followed, of or about someone in a block with the viewer (either way), on a photo the
viewer may not see (private, deleted, its owner in a block), or taken back (an unlike, an
unfollow, a deleted comment) is left out of its group, and a group left empty goes, so it is
never shown nor counted. Only the groups a page shows are checked. docs/architecture.md says why
this and not fan-out on write.

Grouping, of the kept candidates (so a group is the same on every page) within fixed windows of
WINDOW_MS: the followees who did the same to one target ("ana, bo and 3 others liked carl's photo", "ana and bo
started following carl"), then what one followee did of one kind ("ana liked 5 photos", "ana
started following carl and dan"); comments stand alone, with their text.
"""

from __future__ import annotations

import struct
import zlib
from collections import defaultdict
from dataclasses import astuple, dataclass, field

from django.core.cache import cache

from filmroll.accounts.models import User
from filmroll.activity import actions
from filmroll.activity.actions import Action
from filmroll.graph import visibility
from filmroll.media import photos
from filmroll.media.rows import Media
from filmroll.sharding import db, ids

FOLLOWEES = 1000  # whose lists are read: the most recently followed, for those following more
CANDIDATES = 400  # the newest actions of them all that the tab reaches back through
CACHE_SECONDS = 30  # the merged candidates per viewer (visibility is applied after it)
WINDOW_MS = 3 * 3600 * 1000  # actions in one window of time may group
SLACK = 4  # groups checked beyond a page's count, for those that come out empty


@dataclass
class Item:
    kind: str  # like, comment, follow
    actors: list[User]  # the followees who did it, newest first
    media: list[Media] = field(default_factory=list)  # like, comment: the photos (owner set)
    targets: list[User] = field(default_factory=list)  # follow: the people followed
    text: str = ""  # a comment's
    newest_id: int = 0  # the group's newest action's ID, shown or not: its place, the cursor
    shown_id: int = 0  # the newest action shown: its time

    @property
    def created(self) -> int:
        return ids.millis_of(self.shown_id) // 1000

    @property
    def summary(self) -> str:
        """In English, for the API: "ana, bo and 3 others liked carl's photo." """
        who = names([u.username for u in self.actors])
        if self.kind == "follow":
            return f"{who} started following {names([u.username for u in self.targets])}."
        if len(self.media) > 1:
            return f"{who} liked {len(self.media)} photos."
        owner = self.media[0].owner
        whose = f"{owner.username}'s" if owner is not None else "a"
        if self.kind == "comment":
            return f"{who} commented on {whose} photo: {self.text}"
        return f"{who} liked {whose} photo."


def names(people: list[str]) -> str:
    """ "ana", "ana and bo", "ana, bo and cy", "ana, bo and 3 others"."""
    if len(people) > 3:
        return f"{people[0]}, {people[1]} and {len(people) - 2} others"
    return " and ".join(filter(None, [", ".join(people[:-1]), people[-1]]))


def window(action_id: int) -> int:
    return ids.millis_of(action_id) // WINDOW_MS


def followees(viewer_id: int) -> list[int]:
    """Whose actions the tab reads: everyone followed, or the FOLLOWEES most recently followed."""
    rows = db.fetchall(
        ids.shard_of(viewer_id),
        "SELECT target_id FROM {following} WHERE user_id = %s"
        " ORDER BY created_ms DESC, target_id DESC LIMIT %s",
        [viewer_id, FOLLOWEES],
    )
    return [row[0] for row in rows]


def _key(viewer_id: int) -> str:
    return f"following-tab:{viewer_id}"


def candidates(viewer_id: int) -> list[Action]:
    """The newest actions of the viewer's followees, newest first, before visibility. Kept for
    CACHE_SECONDS, and made again at once when whom the viewer follows changes."""
    people = followees(viewer_id)
    digest = zlib.crc32(struct.pack(f">{len(people)}q", *people))
    kept = cache.get(_key(viewer_id))
    if kept is not None and kept[0] == digest:
        rows = kept[1]
    else:
        rows = [astuple(a) for a in actions.store().recent(people, CANDIDATES)]
        cache.set(_key(viewer_id), (digest, rows), CACHE_SECONDS)
    following = set(people)
    return [Action(*row) for row in rows if row[1] in following]


def forget(viewer_id: int) -> None:
    cache.delete(_key(viewer_id))


def _shown(viewer_id: int, groups: list[list[Action]]) -> list[Item]:
    """These groups less the actions the viewer may not see; a group left empty goes."""
    found = [a for group in groups for a in group]
    people = {
        u.id: u
        for u in visibility.visible_people_by_id(
            viewer_id,
            list(dict.fromkeys([a.actor_id for a in found] + [a.target_id for a in found
                                                               if a.kind == "follow"])),
        )
    }  # fmt: skip
    media = {
        m.id: m
        for m in photos.visible_many(
            viewer_id, list(dict.fromkeys(a.target_id for a in found if a.kind != "follow"))
        )
    }
    texts = {
        row[0]: row[2]
        for row in db.select_by_keys(
            "comments", [a.extra_id for a in found if a.kind == "comment"], "media_id, text"
        )
    }
    standing = _still_standing(found)

    def allowed(a: Action) -> bool:
        if a.actor_id not in people or a.actor_id == viewer_id:
            return False
        if a.kind != "comment" and (a.actor_id, a.target_id) not in standing[a.kind]:
            return False  # unliked or unfollowed since (the kept candidates may be 30 s old)
        if a.kind == "follow":
            # the followed must be someone the viewer may see; being followed is the You tab's
            return a.target_id in people and a.target_id != viewer_id
        if a.target_id not in media or media[a.target_id].user_id == viewer_id:
            return False  # a photo the viewer may not see; or the viewer's own: the You tab's
        return a.kind != "comment" or a.extra_id in texts  # else the comment was deleted

    items = []
    for group in groups:
        kept = [a for a in group if allowed(a)]
        if kept:
            items.append(_item(kept, group[0].id, people, media, texts))
    return items


def _still_standing(found: list[Action]) -> dict[str, set[tuple[int, int]]]:
    """Which of these likes and follows stand now, from the shards' truth (the photo's `likes`,
    the actor's `following`): one query per physical database for each kind."""
    standing: dict[str, set[tuple[int, int]]] = {"like": set(), "follow": set()}
    for kind, table, key, column in (
        ("like", "likes", "media_id", "user_id"),
        ("follow", "following", "user_id", "target_id"),
    ):
        acts = [a for a in found if a.kind == kind]
        others = list(dict.fromkeys(a.actor_id if kind == "like" else a.target_id for a in acts))
        keys = [a.target_id if kind == "like" else a.actor_id for a in acts]
        rows = db.select_by_keys(
            table, keys, column, key=key,
            where=f"{column} IN ({', '.join(['%s'] * len(others))})", params=others,
        ) if acts else []  # fmt: skip
        # (actor, target) pairs: a like's row is (photo, liker), a follow's (follower, followed)
        standing[kind] = {(r[1], r[0]) if kind == "like" else (r[0], r[1]) for r in rows}
    return standing


def group_actions(found: list[Action]) -> list[list[Action]]:
    """Actions (newest first) grouped: per window, those of several followees on one target,
    then the rest per followee and kind; comments alone. Groups ordered by their newest action."""
    by_window: dict[int, list[Action]] = defaultdict(list)
    for a in found:
        by_window[window(a.id)].append(a)
    groups: list[list[Action]] = []
    for acts in by_window.values():
        on_target: dict[tuple[str, int], list[Action]] = defaultdict(list)
        for a in acts:
            if a.kind != "comment":
                on_target[(a.kind, a.target_id)].append(a)
        shared = {key for key, group in on_target.items() if len({a.actor_id for a in group}) > 1}
        by_actor: dict[tuple[int, str], list[Action]] = defaultdict(list)
        for a in acts:
            if a.kind == "comment":
                groups.append([a])
            elif (a.kind, a.target_id) not in shared:
                by_actor[(a.actor_id, a.kind)].append(a)
        groups += [on_target[key] for key in shared] + list(by_actor.values())
    return sorted(groups, key=lambda group: group[0].id, reverse=True)


def _item(
    group: list[Action],
    key: int,
    people: dict[int, User],
    media: dict[int, Media],
    texts: dict[int, str],
) -> Item:
    first = group[0]
    return Item(
        kind=first.kind,
        actors=[people[a] for a in dict.fromkeys(a.actor_id for a in group)],
        media=[media[m] for m in dict.fromkeys(a.target_id for a in group if a.kind != "follow")],
        targets=[
            people[t] for t in dict.fromkeys(a.target_id for a in group if a.kind == "follow")
        ],
        text=texts.get(first.extra_id, "") if first.kind == "comment" else "",
        newest_id=key,
        shown_id=first.id,
    )


def assemble(viewer_id: int, max_id: int | None, count: int) -> tuple[list[Item], int | None]:
    """A page of the viewer's Following tab, newest first, and the cursor of the next page.
    The groups are made from the kept candidates as they stand (so a group is the same on every
    page), then only the page's groups are checked, a few more at a time while some come out
    empty: a read checks what it shows, not all the candidates."""
    groups = group_actions(
        [a for a in candidates(viewer_id) if not (a.kind == "follow" and a.target_id == viewer_id)]
    )
    if max_id is not None:
        groups = [g for g in groups if g[0].id < max_id]
    items: list[Item] = []
    start = 0
    while start < len(groups) and len(items) <= count:
        batch = groups[start : start + count + 1 - len(items) + SLACK]
        items += _shown(viewer_id, batch)
        start += len(batch)
    next_id = items[count - 1].newest_id if len(items) > count else None
    # in a page, by what is shown: a group whose newest action is hidden takes its shown time
    return sorted(items[:count], key=lambda item: item.shown_id, reverse=True), next_id
