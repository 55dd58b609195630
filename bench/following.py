"""The Following tab's read cost beside the home feed's, in one run, on the cluster backends
(PostgreSQL shards on two servers, actions and feeds in two Redis instances, memcached):

A reader follows 1,000 active people, each of whom recently liked photos, commented and started
following someone (their own capped action lists, written once per action); 100 of them posted
(the reader's home feed). Both pages are read through the whole API in this process (Django's
test client: envelope, token, rate limit, presenters), `count=20`, interleaved:

- home feed: GET /api/v1/users/self/feed;
- Following tab, warm: the reader's merged candidates kept (30 s), visibility applied per read;
- Following tab, cold: the candidates forgotten before every read, so each read merges the
  1,000 lists (one MGET per Redis instance) before visibility.

Prints p50/p99 of each and the ratios to the home feed; figures to
bench/results/following.json (bench/results.py).

    make bench-following      (needs the servers `make services` starts)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import install  # noqa: E402
from bench import results as results_file  # noqa: E402

PG = "postgres://postgres@127.0.0.1"
ENV = {
    "FILMROLL_DATA_DIR": str(ROOT / "var" / "bench-following"),
    "FILMROLL_DATABASE_URL": f"{PG}:5432/filmroll_bench_following_global",
    "FILMROLL_SHARD_DATABASES": f"a={PG}:5432/filmroll_bench_following_a,"
    f"b={PG}:5433/filmroll_bench_following_b",
    "FILMROLL_FEED_REDIS": "redis://127.0.0.1:6379/6,redis://127.0.0.1:6380/6",
    "FILMROLL_CACHE_SERVERS": "127.0.0.1:11311,127.0.0.1:11312",
    "FILMROLL_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
}
FEED = "/api/v1/users/self/feed?count=20"
TAB = "/api/v1/users/self/activity/following?count=20"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_install() -> None:
    install.fresh(ENV)
    import redis

    for url in ENV["FILMROLL_FEED_REDIS"].split(","):
        redis.Redis.from_url(url).flushdb()
    from django.core.cache import cache

    cache.clear()


def seed(followees: int, posts: int) -> str:
    """The reader, the people they follow and what those did; the reader's token."""
    from filmroll.accounts import tokens
    from filmroll.accounts.models import User
    from filmroll.graph import edges, relationships
    from filmroll.media import comments, likes, photos, pipeline
    from filmroll.media.samples import paint
    from filmroll.tasks import worker

    rng = random.Random(17)
    reader = User.objects.create_user("reader", "r@example.com", None)
    people = [User.objects.create_user(f"p{n}", "", None) for n in range(followees)]
    others = [User.objects.create_user(f"o{n}", "", None) for n in range(50)]
    log(f"the reader follows {followees:,} people; {posts} of them post...")
    for person in people:
        edges.add(reader.id, person.id)
    rendered = pipeline.render(paint(rng, 320, 320), "normal")
    media = [
        photos.publish(person.id, rendered, "normal", "a caption", (None, None, None))
        for person in people[:posts]
    ]
    worker.drain()  # the posts' fan-out into the reader's home feed
    log("each of them likes two photos, follows someone, and every third comments...")
    start = time.perf_counter()
    for n, person in enumerate(people):
        for media_id in rng.sample(media, 2):
            likes.like(person, media_id)
        relationships.follow(person, rng.choice(others))
        if n % 3 == 0:
            comments.add(person, rng.choice(media), "what a light")
    worker.drain()
    log(f"seeded in {time.perf_counter() - start:.0f} s")
    return tokens.issue(reader)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(token: str, rounds: int) -> dict[str, list[float]]:
    from django.test import Client

    from filmroll.accounts.models import User
    from filmroll.feeds import following

    reader = User.objects.get(username="reader")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def timed(path: str) -> float:
        begin = time.perf_counter()
        answer = client.get(path, **headers)
        elapsed = (time.perf_counter() - begin) * 1000
        assert answer.status_code == 200, answer.content[:300]
        assert len(answer.json()["data"]) == 20, answer.content[:300]
        return elapsed

    for _ in range(20):  # warm the caches and the process
        timed(FEED)
        timed(TAB)
    times: dict[str, list[float]] = {"home": [], "following_warm": [], "following_cold": []}
    for _ in range(rounds):
        times["home"].append(timed(FEED))
        times["following_warm"].append(timed(TAB))
        following.forget(reader.id)
        times["following_cold"].append(timed(TAB))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followees", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--measure-only", action="store_true", help="read the install the last run seeded"
    )
    args = parser.parse_args()
    if args.measure_only:
        import os

        import django

        os.environ.update(ENV)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
        django.setup()
        from filmroll.accounts import tokens
        from filmroll.accounts.models import User

        token = tokens.issue(User.objects.get(username="reader"))
    else:
        log("setting up a PostgreSQL install with Redis feeds and memcached...")
        setup_install()
        token = seed(args.followees, args.posts)
    times = measure(token, args.rounds)
    figures = {
        key: {
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(percentile(values, 0.99), 2),
        }
        for key, values in times.items()
    }
    labels = {
        "home": "home feed read (baseline)",
        "following_warm": "Following tab, candidates kept",
        "following_cold": f"Following tab, {args.followees:,} lists merged",
    }
    print(f"reader following {args.followees:,} active people; {args.rounds} reads each, count=20")
    for key, label in labels.items():
        print(
            f"{label:36} p50 {figures[key]['p50_ms']:7.2f} ms  p99 {figures[key]['p99_ms']:7.2f} ms"
        )
    home = figures["home"]["p50_ms"]
    ratios = [
        results_file.Ratio("Following tab read (kept) / home feed read, p50",
                           figures["following_warm"]["p50_ms"] / home, 2.0, False),
        results_file.Ratio("Following tab read (merged) / home feed read, p50",
                           figures["following_cold"]["p50_ms"] / home, 4.0, False),
    ]  # fmt: skip
    for ratio in ratios:
        print(f"ratio {ratio.name}: {ratio.value:.2f} (goal <= {ratio.goal:g})")
    results_file.write(
        "following",
        {"followees": args.followees, "rounds": args.rounds, "count": 20, **figures},
        ratios,
    )


if __name__ == "__main__":
    main()
