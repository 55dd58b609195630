"""What the object cache's versions cost: a warm read of a feed page's 20 media rows through
`objcache.get_many` (entries and their versions in one memcached multi-get) beside the same
20 entries read with one plain multi-get (what the cache did before it kept versions), on the
same memcached servers, in one run. Medians of several rounds. Figures also go to
bench/results/objcache.json.

    make bench-objcache      (needs the memcached servers `make services` starts)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import results  # noqa: E402

# No goal was set when this benchmark was written: the chart holds the versioned read to at
# least 0.8 of the plain multi-get's speed (the versions cost at most a quarter more).
GOAL = 0.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(
        FILMROLL_DATA_DIR=str(ROOT / "var" / "bench-objcache"),
        FILMROLL_CACHE_SERVERS="127.0.0.1:11311,127.0.0.1:11312",
        DJANGO_SETTINGS_MODULE="filmroll.settings",
    )
    import django

    django.setup()
    from django.core.cache import cache

    from filmroll import objcache
    from filmroll.observe import metrics

    # keys of this run's own: entries an older run stored (in an older format) are not what a
    # warm read of today's code meets
    first = 10**15 + time.time_ns() % 10**12
    keys = list(range(first, first + 20))
    # a row of scalars, as the cache keeps them (one with a nested dict would not be kept)
    row = {"caption": "a caption with #tags and words " * 3, "images": "x" * 300}
    objcache.get_many("bench", keys, lambda missing: {k: row for k in missing})  # warm
    cache.set_many({f"plain:{k}": row for k in keys}, 3600)
    names = [f"plain:{k}" for k in keys]

    def versioned() -> None:
        objcache.get_many("bench", keys, lambda missing: {k: row for k in missing})

    def plain() -> None:  # the cache before versions: one multi-get, the same metrics
        found = cache.get_many(names)
        metrics.CACHE.labels("bench", "hit").inc(len(found))
        metrics.CACHE.labels("bench", "miss").inc(len(names) - len(found))

    figures: dict[str, list[float]] = {"versioned": [], "plain": []}
    for _ in range(args.rounds):
        for name, call in (("versioned", versioned), ("plain", plain)):
            start = time.perf_counter()
            for _ in range(args.calls):
                call()
            figures[name].append((time.perf_counter() - start) / args.calls * 1e6)
    ours, base = statistics.median(figures["versioned"]), statistics.median(figures["plain"])
    print(f"20 rows, warm memcached, medians of {args.rounds} rounds of {args.calls} calls")
    print(f"objcache.get_many (with versions): {ours:7.1f} us a call")
    print(f"plain multi-get (no versions):     {base:7.1f} us a call")
    print(f"ratio {base / ours:.2f} (the versions' share of a warm read: {ours - base:.1f} us)")
    results.write(
        "objcache",
        {"rounds": args.rounds, "calls": args.calls, "rows": len(keys),
         "versioned_us_per_call": round(ours, 2), "plain_us_per_call": round(base, 2)},
        [results.Ratio("warm 20-row reads/s, objcache.get_many / plain multi-get",
                       base / ours, GOAL)],
    )  # fmt: skip


if __name__ == "__main__":
    main()
