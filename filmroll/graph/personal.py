"""What the graph keeps about a person (sharding/personal.py says how this works): both sides of
every follow, request and block, and mutes either way. The other side's counts are corrected as its rows go."""

from django.conf import settings

from filmroll import objcache
from filmroll.sharding.personal import Naming, Owned


def _hidden_changed(user_ids: list[int]) -> None:
    if settings.FILMROLL.cache_servers:
        for user_id in user_ids:
            objcache.invalidate("hidden", user_id)


PERSONAL = [
    Owned("following"),
    Owned("followers"),
    Owned("follow_requests"),
    Owned("blocks"),
    Owned("blocked_by"),
    Owned("mutes"),
    # the followers' `following` rows, found through the person's `followers`
    Naming(
        "following",
        "target_id",
        key="user_id",
        via=("followers", "follower_id"),
        recount=("counts", "user_id", "follows"),
    ),  # fmt: skip
    # the followed people's `followers` rows, found through the person's `following`
    Naming(
        "followers",
        "follower_id",
        key="user_id",
        via=("following", "target_id"),
        recount=("counts", "user_id", "followed_by"),
    ),  # fmt: skip
    Naming("follow_requests", "requester_id", key="user_id"),
    Naming(
        "blocks",
        "blocked_id",
        key="user_id",
        via=("blocked_by", "blocker_id"),
        touched=_hidden_changed,
    ),  # fmt: skip
    Naming(
        "blocked_by",
        "blocker_id",
        key="user_id",
        via=("blocks", "blocked_id"),
        touched=_hidden_changed,
    ),  # fmt: skip
    Naming("mutes", "muted_id", key="user_id"),
]
