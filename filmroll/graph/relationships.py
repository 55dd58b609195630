"""Follow, unfollow, block, unblock, approve, ignore, mute, unmute: the write layer for the social graph.
Each owns its side effects: edges and counts now, activity, feed changes in the background."""

from __future__ import annotations

from typing import Any

from filmroll.accounts.models import User
from filmroll.activity import actions, events
from filmroll.errors import Invalid, NotAllowed
from filmroll.graph import edges, mutes
from filmroll.sharding import ids, outbox


def _changed(follower_id: int, followed_id: int, now_follows: bool) -> None:
    """The side effects of a follow or unfollow, in the transaction that moves the followed
    person's side (edges.settle, on their shard): the event there, the feed work in its outbox.
    Whoever settles the edge (the request, a retry of it, the outbox's task) runs them once."""
    shard = ids.shard_of(followed_id)
    if now_follows:
        events.record(followed_id, "follow", follower_id)
        actions.record(follower_id, "follow", followed_id)  # for the follower's followers
        outbox.enqueue(shard, "feeds.note_follower_count", followed_id)  # too big to fan out?
        outbox.enqueue(shard, "feeds.backfill", follower_id, followed_id)
    else:
        events.forget(followed_id, "follow", follower_id)
        actions.forget(follower_id, "follow", followed_id)
        outbox.enqueue(shard, "feeds.drop_author", follower_id, followed_id)


def _connect(follower: User, followed: User) -> None:
    edges.add(follower.id, followed.id, _changed)


def _disconnect(follower_id: int, followed_id: int) -> None:
    edges.remove(follower_id, followed_id, _changed)


def settle_follow(follower_id: int, followed_id: int) -> None:
    """Finish a follow or unfollow that a process left half made (the outbox's task)."""
    edges.settle(follower_id, followed_id, _changed)


def _blocked(user_id: int, other_id: int) -> None:
    """While a block stands: no follow or request either way, no event of either in the other's
    activity. Idempotent: it runs again whenever the block is settled."""
    for a, b in ((user_id, other_id), (other_id, user_id)):
        edges.remove_request(b, a)
        _disconnect(a, b)
    events.forget_between(user_id, other_id)
    # and neither stays tagged in the other's photos (media/people.py)
    outbox.enqueue(ids.shard_of(user_id), "media.untag_between", user_id, other_id)


def settle_block(user_id: int, other_id: int) -> None:
    edges.settle_block(user_id, other_id, _blocked)


def follow(viewer: User, target: User) -> None:
    if edges.blocked_between(viewer.id, [target.id]):
        # the answer every read of a blocked account's lists gives (docs/api.md, "Private or
        # missing"), neither side named: it tells no more than they do
        raise NotAllowed("you cannot follow this user")
    if edges.follows(viewer.id, target.id):
        settle_follow(viewer.id, target.id)  # a retry repairs what an earlier try left half made
        return
    if target.is_private:
        if edges.add_request(target.id, viewer.id):
            events.record(target.id, "follow_request", viewer.id)
        return
    _connect(viewer, target)


def unfollow(viewer: User, target: User) -> None:
    if edges.remove_request(target.id, viewer.id):
        events.forget(target.id, "follow_request", viewer.id)
    _disconnect(viewer.id, target.id)


def block(viewer: User, target: User) -> None:
    """Blocking ends every edge and request between the two, both ways (finished from the
    outbox if this process dies midway)."""
    edges.add_block(viewer.id, target.id, _blocked)


def unblock(viewer: User, target: User) -> None:
    edges.remove_block(viewer.id, target.id)


def mute(viewer: User, target: User) -> None:
    """The target's posts and actions leave the viewer's feeds; no follow changes and the
    target is not told (no event, nothing in their view of the relationship)."""
    mutes.mute(viewer.id, target.id)


def unmute(viewer: User, target: User) -> None:
    mutes.unmute(viewer.id, target.id)


def approve(viewer: User, requester: User) -> None:
    if not edges.remove_request(viewer.id, requester.id):
        raise Invalid("this user has not asked to follow you")
    events.forget(viewer.id, "follow_request", requester.id)
    _connect(requester, viewer)


def ignore(viewer: User, requester: User) -> None:
    if edges.remove_request(viewer.id, requester.id):
        events.forget(viewer.id, "follow_request", requester.id)


def act(viewer: User, target: User, action: Any) -> None:
    if not isinstance(action, str) or action not in HANDLERS:
        raise Invalid(f"action must be one of {', '.join(HANDLERS)}")
    if target.id == viewer.id:
        raise Invalid("you cannot do that to yourself")
    HANDLERS[action](viewer, target)


HANDLERS = {
    "follow": follow,
    "unfollow": unfollow,
    "block": block,
    "unblock": unblock,
    "approve": approve,
    "ignore": ignore,
    "deny": ignore,  # v1's other word for ignoring a request
    "mute": mute,
    "unmute": unmute,
}


def status(viewer: User, target: User) -> dict:
    """The relationship as the v1 API shows it."""
    if viewer.id == target.id:
        outgoing, incoming = "none", "none"
    else:
        outgoing = (
            "follows"
            if edges.follows(viewer.id, target.id)
            else "requested"
            if edges.has_request(target.id, viewer.id)
            else "none"
        )
        incoming = (
            "blocked_by_you"
            if edges.blocked(viewer.id, target.id)
            else "followed_by"
            if edges.follows(target.id, viewer.id)
            else "requested_by"
            if edges.has_request(viewer.id, target.id)
            else "none"
        )
    return {
        "outgoing_status": outgoing,
        "incoming_status": incoming,
        "target_user_is_private": target.is_private,
        # only the viewer's own mute: whether the target muted the viewer is never shown
        "muted": viewer.id != target.id and mutes.muted(viewer.id, target.id),
    }
