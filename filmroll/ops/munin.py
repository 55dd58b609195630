"""A Munin plugin for the business graphs the seed watched (sign-ups, photos, likes, comments
per minute), read from the same counters as /metrics.

Munin runs `filmroll munin config` once for the graph's description, then `filmroll munin`
every five minutes for the totals; DERIVE fields turn totals into rates (a counter that starts
again from zero after a restart gives no negative spike: min 0)."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, multiprocess

FIELDS = {  # Munin field: (Prometheus counter, label)
    "signups": ("filmroll_signups", "sign-ups"),
    "photos": ("filmroll_photos_posted", "photos posted"),
    "likes": ("filmroll_likes", "likes"),
    "comments": ("filmroll_comments", "comments"),
}


def config() -> list[str]:
    lines = [
        "graph_title filmroll activity",
        "graph_vlabel per ${graph_period}",
        "graph_period minute",
        "graph_category filmroll",
        "graph_info What people do on filmroll, summed over every app server process.",
        "graph_args --lower-limit 0",
    ]
    for field, (_, label) in FIELDS.items():
        lines += [f"{field}.label {label}", f"{field}.type DERIVE", f"{field}.min 0"]
    return lines


def totals() -> dict[str, float]:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, os.environ["PROMETHEUS_MULTIPROC_DIR"])
    found: dict[str, float] = {}
    for family in registry.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                found[sample.name.removesuffix("_total")] = sample.value
    return found


def values() -> list[str]:
    found = totals()
    return [f"{field}.value {int(found.get(name, 0))}" for field, (name, _) in FIELDS.items()]
