"""Prometheus metrics: requests per view, the business (sign-ups, photos, likes, comments),
fan-out, the object cache, query latency per database, queue depths and backends.

Counters and histograms are written by every process into PROMETHEUS_MULTIPROC_DIR (set in
settings, under the data directory, before prometheus_client is imported) and summed over the
processes at each scrape, so /metrics is right however many Gunicorn and task workers there are.
Queue depths and backend states are read at scrape time instead (ops/scrape.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from prometheus_client import (
    Counter,
    Histogram,
)

LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _Off:
    """Stands in for every metric when FILMROLL_METRICS=0: each call does nothing."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def labels(self, *args: object) -> _Off:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


if not settings.FILMROLL.metrics:
    Counter = Histogram = _Off  # type: ignore[misc,assignment]  # noqa: F811

REQUESTS = Counter("filmroll_requests", "HTTP requests", ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "filmroll_request_seconds", "HTTP request latency", ["view"], buckets=LATENCY
)
SIGNUPS = Counter("filmroll_signups", "Accounts created")
PHOTOS = Counter("filmroll_photos_posted", "Photos posted")
LIKES = Counter("filmroll_likes", "Likes given (a repeated like is not counted)")
COMMENTS = Counter("filmroll_comments", "Comments posted")
DELIVERIES = Counter("filmroll_fanout_deliveries", "Posts put into followers' feeds")
FANOUT_LAG = Histogram(
    "filmroll_fanout_lag_seconds", "From a post to its delivery into a batch of feeds",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)  # fmt: skip
CACHE = Counter("filmroll_cache_lookups", "Object cache lookups", ["kind", "result"])
QUERY_SECONDS = Histogram(
    "filmroll_query_seconds", "SQL statement latency per database", ["database"], buckets=LATENCY
)
TASKS = Counter("filmroll_tasks", "Background tasks run", ["task", "outcome"])


_children: dict[tuple, Any] = {}


def child(metric: Any, *values: object) -> Any:
    """`metric.labels(*values)`, looked up once: prometheus_client checks and converts the values
    and takes a lock at every call, several times a request (its children are the same)."""
    key = (metric, values)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*values)
    return found


def time_queries(execute, sql, params, many, context):
    """A Django execute wrapper: every statement's time, by database alias."""
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        child(QUERY_SECONDS, context["connection"].alias).observe(time.perf_counter() - start)


def watch_connection(sender, connection, **kwargs) -> None:
    """On `connection_created`: time this connection's statements (once per wrapper)."""
    if time_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(time_queries)


def sweep_dead() -> int:
    """Drop the metric files of processes that are gone (at server start: an earlier run's);
    files of live processes (a task worker beside) stay. How many went."""
    removed = 0
    for path in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
