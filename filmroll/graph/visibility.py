"""Who may see what: the one rule every read path applies.

A private account's photos are seen only by its approved followers and itself; a block hides
both ways; a deactivated account is gone. What may not be seen answers exactly like what does
not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

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
