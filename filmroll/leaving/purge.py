"""Deleting an account for good, once its grace period is over (accounts/leaving.py asks for it).

The purge is driven by the declarations of every package (sharding/personal.py: each package's
`personal.py`): first the rows on other people's shards that name the person (their counts
corrected), then everything kept outside the shard tables (files, feeds, the index, caches,
global tables), then the person's own shard rows, and last the user's row, leaving a tombstone
of the username. Every step is idempotent and works in short batches, so a purge killed anywhere
(kill -9 included) finishes when it runs again: the periodic `leaving.purge_due` queues it again
for as long as the user's row is there.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

from filmroll.accounts import leaving
from filmroll.accounts.models import User
from filmroll.sharding import personal, replicas

log = logging.getLogger(__name__)

Step = tuple[str, Callable[[], object]]

# One purge of a person at a time (the hourly `leaving.purge_due` may queue one while another
# still runs): a claim in the shared cache, renewed after each step. A purge killed mid-way
# leaves its claim to lapse; running two at once would do no harm (every step is idempotent),
# only double the work.
CLAIM_SECONDS = 900


def steps(user_id: int) -> list[Step]:
    """The purge of one person, step by step, in the order they must run."""
    found = personal.declarations()
    namings = [d for d in found if isinstance(d, personal.Naming)]
    stores = [d for d in found if isinstance(d, personal.Store)]
    of_media = [d for d in found if isinstance(d, personal.OfMedia)]
    # the person's photos last of the own rows: the steps before find what is keyed by them
    owned = sorted(
        (d for d in found if isinstance(d, personal.Owned)), key=lambda d: d.table == "media"
    )

    def naming(d: personal.Naming) -> Step:
        return f"{d.table}.{d.column}", lambda: personal.purge_naming(user_id, d)

    def store(d: personal.Store) -> Step:
        return d.name, lambda: d.purge(user_id)

    def own(d: personal.Owned | personal.OfMedia) -> Step:
        return f"own {d.table}", lambda: personal.purge_own(user_id, d)

    return [
        *map(naming, namings),
        *map(store, stores),
        *map(own, of_media),
        *map(own, owned),
        ("the account", lambda: _bury(user_id)),
    ]


def _bury(user_id: int) -> None:
    user = User.objects.filter(id=user_id).first()
    if user is not None:
        leaving.bury(user)


def purgeable(user_id: int) -> bool:
    """Whether the user waits for the purge: deactivated by their own request, grace over."""
    return User.objects.filter(
        id=user_id, is_active=False, delete_after__lte=timezone.now()
    ).exists()


@replicas.on_primary
def purge(user_id: int, first: int = 0, last: int | None = None) -> bool:
    """Remove everything of one person whose grace period is over; False when there is nothing
    to do (restored, not due, or gone already). `first` and `last` run part of the steps (for
    tests that stop a purge midway)."""
    if not purgeable(user_id):
        return False
    claim = f"leaving:purge:{user_id}"
    token = secrets.token_hex(8)
    if not cache.add(claim, token, CLAIM_SECONDS):
        log.info("purge of %s: already under way elsewhere", user_id)
        return False
    started = time.perf_counter()
    try:
        for name, run in steps(user_id)[first:last]:
            step_started = time.perf_counter()
            run()
            cache.set(claim, token, CLAIM_SECONDS)  # still at it
            log.info(
                "purge of %s: %s", user_id, name,
                extra={"user_id": str(user_id), "step": name,
                       "ms": round((time.perf_counter() - step_started) * 1000, 1)},
            )  # fmt: skip
    finally:
        if cache.get(claim) == token:
            cache.delete(claim)
    log.info("purge of %s done in %.1f s", user_id, time.perf_counter() - started)
    return True


def purge_due() -> list[int]:
    """The accounts whose grace period is over."""
    return leaving.due()
