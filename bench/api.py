"""API benchmark: `GET /api/v1/media/{id}` requests per second under wrk through Gunicorn with
warm caches (memcached objects, Redis rate-limit counts), beside a bare Django view answering a
body of the same size on the same Gunicorn, in one run; p50 and p99 latency. Figures also go to
bench/results/api.json.

    make bench-api      (needs the servers `make services` starts)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import install, results  # noqa: E402
from bench.served import body_bytes, serve, stop, wrk  # noqa: E402

PG = "postgres://postgres@127.0.0.1"
ENV = {
    "FILMROLL_DATA_DIR": str(ROOT / "var" / "bench-api"),
    "FILMROLL_DATABASE_URL": f"{PG}:5432/filmroll_bench_api_global",
    "FILMROLL_SHARD_DATABASES": f"a={PG}:5432/filmroll_bench_api_a,b={PG}:5433/filmroll_bench_api_b",
    "FILMROLL_FEED_REDIS": "redis://127.0.0.1:6379/6",
    "FILMROLL_SESSION_REDIS": "redis://127.0.0.1:6379/7",
    "FILMROLL_CACHE_SERVERS": "127.0.0.1:11311,127.0.0.1:11312",
    # every request is still counted; the limit is only set out of wrk's reach
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
    "FILMROLL_ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed() -> tuple[str, str]:
    """A viewer and a public photo by someone they follow, liked by a few; the viewer's token and
    the photo's path."""
    from filmroll.accounts import tokens
    from filmroll.accounts.models import User
    from filmroll.graph import edges
    from filmroll.media import likes, photos, pipeline
    from filmroll.media.samples import paint
    from filmroll.tasks import worker

    viewer = User.objects.create_user("viewer", "v@example.com", None)
    owner = User.objects.create_user("owner", "o@example.com", None, full_name="Owner")
    edges.add(viewer.id, owner.id)
    rendered = pipeline.render(paint(random.Random(7), 320, 320), "normal")
    media_id = photos.publish(
        owner.id, rendered, "normal", "a caption with #tags", (None, 1.0, 2.0)
    )
    for n in range(5):
        likes.like(User.objects.create_user(f"fan{n}", "", None), media_id)
    worker.drain()
    return tokens.issue(viewer), f"/api/v1/media/{media_id}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    log("setting up a PostgreSQL install with memcached and Redis...")
    install.fresh(ENV)
    import redis

    redis.Redis.from_url(ENV["FILMROLL_SESSION_REDIS"]).flushdb()
    token, path = seed()
    server = serve(ENV)
    try:
        size = body_bytes(path, token)
    finally:
        stop(server)
    runs: dict[str, list[tuple[float, float, float]]] = {"media": [], "bare": []}
    for round_no in range(args.rounds):
        log(f"round {round_no + 1}/{args.rounds}")
        server = serve({**ENV, "BENCH_BODY_BYTES": str(size - 40)})
        try:
            wrk(path, token, 2)  # warm the caches
            runs["media"].append(wrk(path, token, args.seconds))
            runs["bare"].append(wrk("/bench/bare", None, args.seconds))
        finally:
            stop(server)
    med = {k: [statistics.median(r[i] for r in v) for i in range(3)] for k, v in runs.items()}
    print(
        f"2 Gunicorn workers, wrk -t2 -c16, {args.rounds} rounds of {args.seconds} s, medians;"
        f" body {size} bytes"
    )
    for name, label in (("media", f"GET {path.split('/media/')[0]}/media/{{id}}"),
                        ("bare", "bare Django JSON view")):  # fmt: skip
        rate, p50, p99 = med[name]
        print(f"{label:28} {rate:8.0f} req/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    ratio = results.Ratio(
        "GET /api/v1/media/{id} / bare view", med["media"][0] / med["bare"][0], 0.6
    )
    print(f"ratio {ratio.value:.2f} (goal >= {ratio.goal:g})")
    results.write(
        "api",
        {"rounds": args.rounds, "seconds": args.seconds, "body_bytes": size,
         "media": results.wrk_figures(med["media"]), "bare": results.wrk_figures(med["bare"])},
        [ratio],
    )  # fmt: skip


if __name__ == "__main__":
    main()
