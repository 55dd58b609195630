"""Follow, unfollow, block, unblock, approve, ignore: the write layer for the social graph.
Each owns its side effects: edges and counts now, activity, feed changes in the background."""

from __future__ import annotations

from typing import Any

from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.errors import Forbidden, Invalid
from filmroll.graph import edges
from filmroll.tasks.dispatch import enqueue


def _connect(follower: User, followed: User) -> None:
    if edges.add(follower.id, followed.id):
        events.record(followed.id, "follow", follower.id)
        enqueue("feeds.note_follower_count", followed.id)  # too big to fan out now?
        enqueue("feeds.backfill", follower.id, followed.id)


def _disconnect(follower_id: int, followed_id: int) -> None:
    if edges.remove(follower_id, followed_id):
        events.forget(followed_id, "follow", follower_id)
        enqueue("feeds.drop_author", follower_id, followed_id)


def follow(viewer: User, target: User) -> None:
    if edges.blocked_between(viewer.id, [target.id]):
        raise Forbidden("you cannot follow this user")
    if edges.follows(viewer.id, target.id):
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
    """Blocking ends every edge and request between the two, both ways."""
    edges.add_block(viewer.id, target.id)
    for a, b in ((viewer, target), (target, viewer)):
        edges.remove_request(b.id, a.id)
        _disconnect(a.id, b.id)
    events.forget_between(viewer.id, target.id)


def unblock(viewer: User, target: User) -> None:
    edges.remove_block(viewer.id, target.id)


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
    }
