"""Reads from streaming replicas of the physical shard databases (FILMROLL_SHARD_REPLICAS), where
a lagging answer does no harm.

Reads go to the primary unless all of these hold:
- the request is a GET or HEAD (tasks, writes and everything outside a request read primaries);
- its client (session or access token) has not written in the last FILMROLL_READ_YOUR_WRITES_SECONDS,
  so users see their own writes at once;
- the read is not an authorization decision (`on_primary`), does not fill the shared object cache
  (a stale copy would outlive the lag) and is not inside a transaction on the primary;
- the replica answers and lags less than FILMROLL_REPLICA_MAX_LAG_SECONDS (checked at most once
  a second per process); a replica that fails a read is skipped and the read goes to the primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from filmroll.sharding.schema import MOVED_STATES

log = logging.getLogger(__name__)
T = TypeVar("T")
_may_lag: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)
_checked: dict[str, tuple[float, bool]] = {}  # replica alias -> (when, usable)
CHECK_EVERY = 1.0
SKIP_DOWN_FOR = 5.0
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def alias(physical: str) -> str:
    return f"{physical}_replica"


@contextlib.contextmanager
def primary() -> Iterator[None]:
    """Reads in this block go to primaries."""
    token = _may_lag.set(False)
    try:
        yield
    finally:
        _may_lag.reset(token)


def on_primary(function: Callable[..., T]) -> Callable[..., T]:
    """For authorization decisions: never made on a lagging copy."""

    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> T:
        with primary():
            return function(*args, **kwargs)

    return wrapped


def lag(replica: str) -> float:
    """Seconds the replica's last replayed change is behind, 0 when it has replayed all it got."""
    with connections[replica].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def _usable(replica: str) -> bool:
    now = time.monotonic()
    when, usable = _checked.get(replica, (0.0, False))
    if now - when < (CHECK_EVERY if usable else SKIP_DOWN_FOR) and when:
        return usable
    try:
        usable = lag(replica) <= settings.FILMROLL.replica_max_lag
    except DatabaseError as error:
        log.warning("replica %s skipped: %s", replica, error)
        connections[replica].close()
        usable = False
    _checked[replica] = (now, usable)
    return usable


def mark_down(replica: str) -> None:
    _checked[replica] = (time.monotonic(), False)
    with contextlib.suppress(Exception):
        connections[replica].close()


def reader(physical: str) -> str:
    """The alias a lag-tolerant read of `physical` may use now."""
    if not _may_lag.get() or physical not in settings.FILMROLL.shard_replicas:
        return physical
    if connections[physical].in_atomic_block:
        return physical
    replica = alias(physical)
    return replica if _usable(replica) else physical


def read(physical: str, run: Callable[[Any], T]) -> T:
    """`run(cursor)` on a replica of `physical` where allowed, else (or if it fails) the primary."""
    chosen = reader(physical)
    if chosen != physical:
        try:
            with connections[chosen].cursor() as cursor:
                return run(cursor)
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) in MOVED_STATES:
                raise  # the shard moved away: the caller finds where it went
            log.warning("read on %s failed, reading the primary: %s", chosen, error)
            mark_down(chosen)
    with connections[physical].cursor() as cursor:
        return run(cursor)


def _client(request: HttpRequest) -> str:
    """Who is asking, from their credentials alone (no query): a hash of the session cookie or
    the access token; empty for anonymous requests."""
    secret = (
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or request.GET.get("access_token")
        or request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    )
    return hashlib.sha256(secret.encode()).hexdigest()[:32] if secret else ""


class ReplicaReads:
    """Lets a GET read replicas unless its client wrote a moment ago; marks writers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.FILMROLL.shard_replicas:
            return self.get_response(request)
        client = _client(request)
        if request.method in ("GET", "HEAD"):
            token = _may_lag.set(not (client and cache.get(f"wrote:{client}")))
            try:
                return self.get_response(request)
            finally:
                _may_lag.reset(token)
        response = self.get_response(request)
        seconds = settings.FILMROLL.read_your_writes
        if client and seconds:
            cache.set(f"wrote:{client}", 1, seconds)
        return response
