"""Who may see what: the one rule every read path applies.

A private account's photos are seen only by its approved followers and itself; a block hides
both ways; a deactivated account is gone. What may not be seen answers exactly like what does
not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from filmroll.accounts.models import User
from filmroll.graph import edges
from filmroll.sharding import replicas


@replicas.on_primary
def visible_owners(viewer_id: int | None, owners: Iterable[User]) -> set[int]:
    """The IDs of those `owners` whose photos the viewer may see, in a few batched queries."""
    active = [o for o in owners if o.is_active]
    if viewer_id is None:
        return {o.id for o in active if not o.is_private}
    others = [o.id for o in active if o.id != viewer_id]
    hidden = edges.blocked_between(viewer_id, others)
    private = [o.id for o in active if o.is_private and o.id != viewer_id and o.id not in hidden]
    approved = edges.followed_among(viewer_id, private)
    return {
        o.id
        for o in active
        if o.id == viewer_id or (o.id not in hidden and (not o.is_private or o.id in approved))
    }


def can_see(viewer_id: int | None, owner: User) -> bool:
    return owner.id in visible_owners(viewer_id, [owner])


@replicas.on_primary
def visible_people(viewer_id: int | None, people: Iterable[User]) -> list[User]:
    """The one rule for lists of people, in the order given: active accounts not in a block with
    the viewer either way. Private accounts are listed; only their photos are hidden."""
    active = [p for p in people if p.is_active]
    if viewer_id is None:
        return active
    hidden = edges.blocked_between(viewer_id, [p.id for p in active])
    return [p for p in active if p.id not in hidden]


def visible_people_by_id(viewer_id: int | None, user_ids: Sequence[int]) -> list[User]:
    """`visible_people` for a page of IDs (a follower list, a like list), loaded in one query."""
    found = User.objects.in_bulk(list(user_ids))
    return visible_people(viewer_id, [found[u] for u in user_ids if u in found])
