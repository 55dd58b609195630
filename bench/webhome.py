"""The web home page beside the API feed read behind it, in one process on the CPU clock: both
through Django's WSGI handler (every middleware, as Gunicorn calls it) against warm caches, the
same dozen items, alternating, medians of many requests. With --profile, cProfile (CPU timer)
of each, the functions that took the most.

    .venv/bin/python -m bench.webhome [--requests 300] [--profile] [--unread 20]

Needs the servers `make services` starts; an install of its own (databases
filmroll_bench_webhome_*, Redis databases 13 and 14), as bench/feeds.py sets it up.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import feeds  # noqa: E402

PG = feeds.PG
ENV = {
    **feeds.ENV,
    "FILMROLL_DATA_DIR": str(ROOT / "var" / "bench-webhome"),
    "FILMROLL_DATABASE_URL": f"{PG}:5432/filmroll_bench_webhome_global",
    "FILMROLL_SHARD_DATABASES": f"a={PG}:5432/filmroll_bench_webhome_a,"
    f"b={PG}:5433/filmroll_bench_webhome_b",
    "FILMROLL_FEED_REDIS": "redis://127.0.0.1:6379/13,redis://127.0.0.1:6380/13",
    "FILMROLL_SESSION_REDIS": "redis://127.0.0.1:6379/14",
}


def environ(path: str, headers: dict[str, str]) -> dict:
    from wsgiref.util import setup_testing_defaults

    base, _, query = path.partition("?")
    env = {"PATH_INFO": base, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1",
           "SERVER_NAME": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1"}  # fmt: skip
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(env)
    return env


def caller(path: str, headers: dict[str, str]):
    """One request through the WSGI handler, its body read; the body returned."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()

    def call() -> bytes:
        status: list[str] = []
        body = b"".join(app(environ(path, headers), lambda s, h, *a: status.append(s)))
        assert status[0].startswith("200"), (path, status, body[:500])
        return body

    return call


def seed_unread(reader: str, count: int) -> None:
    """`count` events for the reader: likes of a photo of theirs by the authors."""
    import random

    from filmroll.accounts.models import User
    from filmroll.media import likes, photos, pipeline
    from filmroll.media.samples import paint
    from filmroll.tasks import worker

    user = User.objects.get(username=reader)
    media_id = photos.publish(user.id, pipeline.render(paint(random.Random(2), 64, 64), "normal"),
                              "normal")  # fmt: skip
    for n in range(count):
        likes.like(User.objects.get(username=f"author{n}"), media_id)
    worker.drain()


def cpu_ms(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.process_time()
        call()
        out.append((time.process_time() - start) * 1000)
    return out


def profile(call, n: int, label: str, top: int) -> None:
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(n):
        call()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"===== {label}: {n} requests =====")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--unread", type=int, default=0, help="activity events for the reader")
    parser.add_argument("--reuse", action="store_true", help="keep the install made before")
    args = parser.parse_args()
    import os

    if args.reuse:
        os.environ.update(ENV)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
        import django

        django.setup()
        from filmroll.accounts import tokens
        from filmroll.accounts.models import User

        token = tokens.issue(User.objects.get(username="reader"))
    else:
        feeds.log("setting up a PostgreSQL install with Redis feeds and memcached...")
        feeds.ENV.update(ENV)
        feeds.setup_install()
        token = feeds.seed_reader()
        if args.unread:
            seed_unread("reader", args.unread)
    cookie = feeds.web_session("reader").removeprefix("Cookie: ")
    web = caller("/", {"Cookie": cookie, "Accept-Language": "en"})
    api = caller(f"/api/v1/users/self/feed?count={feeds.WEB_ITEMS}",
                 {"Authorization": f"Bearer {token}"})  # fmt: skip
    for _ in range(30):  # warm every cache and the process's own
        web()
        api()
    assert web().count(b'<article class="photo card"') == feeds.WEB_ITEMS
    if args.profile:
        profile(web, args.requests, "web home", args.top)
        profile(api, args.requests, "API feed read", args.top)
        return
    times: dict[str, list[float]] = {"web": [], "api": []}
    for _ in range(args.requests // 10):
        times["web"] += cpu_ms(web, 10)
        times["api"] += cpu_ms(api, 10)
    web_ms, api_ms = statistics.median(times["web"]), statistics.median(times["api"])
    print(f"CPU ms per request, medians of {len(times['web'])}: web home {web_ms:.2f}, "
          f"API feed read ({feeds.WEB_ITEMS}) {api_ms:.2f}, ratio {web_ms / api_ms:.2f} "
          f"(as req/s: {api_ms / web_ms:.2f}; goal >= 0.8)")  # fmt: skip


if __name__ == "__main__":
    main()
