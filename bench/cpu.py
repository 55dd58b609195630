"""CPU per request of the reads, in one process: the home feed read (20 items, warm caches),
`GET /api/v1/media/{id}`, the bare view and the web home page (20 items, the reader's session and
CSRF cookies), each called through Django's WSGI handler (every middleware, URL resolving, the
response's bytes), on the process's CPU clock, medians of many repetitions, interleaved so that a
busy machine slows them alike. PostgreSQL shards, two
Redis and two memcached as bench/feeds.py; under wrk the two cores are the limit, so this CPU
decides the throughput (bench/results/PROFILE.md, session 8).

    .venv/bin/python -m bench.cpu [--reps 400] [--profile feed|media|bare|web]

The install (databases filmroll_bench_cpu_*) is made on the first run and kept; --fresh remakes it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1"
ENV = {
    "FILMROLL_DATA_DIR": str(ROOT / "var" / "bench-cpu"),
    "FILMROLL_DATABASE_URL": f"{PG}:5432/filmroll_bench_cpu_global",
    "FILMROLL_SHARD_DATABASES": f"a={PG}:5432/filmroll_bench_cpu_a,b={PG}:5433/filmroll_bench_cpu_b",
    "FILMROLL_FEED_REDIS": "redis://127.0.0.1:6379/13,redis://127.0.0.1:6380/13",
    "FILMROLL_CACHE_SERVERS": "127.0.0.1:11311,127.0.0.1:11312",
    "FILMROLL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "FILMROLL_SESSION_REDIS": "redis://127.0.0.1:6379/14",
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
}
SEEDED = ROOT / "var" / "bench-cpu" / "seeded.json"
FEED = "/api/v1/users/self/feed?count=20"


def setup(fresh: bool) -> dict[str, str]:
    if SEEDED.exists() and not fresh:
        os.environ.update(ENV)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
        import django

        django.setup()
        return json.loads(SEEDED.read_text())
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
    from bench import install

    install.fresh(ENV)
    import redis

    for url in [*ENV["FILMROLL_FEED_REDIS"].split(","), ENV["FILMROLL_SESSION_REDIS"]]:
        redis.Redis.from_url(url).flushdb()
    from bench.feeds import seed_reader
    from filmroll.accounts.models import User
    from filmroll.media import likes
    from filmroll.tasks import worker

    token = seed_reader()
    first = json.loads(call(application(), FEED, token)[1])["data"][0]["id"]
    for n in range(5):  # as bench/api.py's photo: liked by a few
        likes.like(User.objects.create_user(f"fan{n}", "", None), int(first))
    worker.drain()
    seeded = {"token": token, "media": f"/api/v1/media/{first}"}
    SEEDED.parent.mkdir(parents=True, exist_ok=True)
    SEEDED.write_text(json.dumps(seeded))
    return seeded


def application():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def call(app, path: str, token: str | None, cookie: str | None = None) -> tuple[str, bytes]:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if cookie:
        environ["HTTP_COOKIE"] = cookie
        environ["HTTP_ACCEPT_LANGUAGE"] = "en"
    status = []
    body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
    return status[0], body


def drop_entries(app, reads: dict) -> None:
    """Delete the object cache entries (not the versions) the reads ask for, so that they are
    stored again by this code."""
    from django.core.cache import cache

    from filmroll import objcache

    asked: list[str] = []
    get_many = objcache.KeptPyMemcacheCache.get_many

    def recording(self, keys, version=None):
        keys = list(keys)
        asked.extend(keys)
        return get_many(self, keys, version)

    objcache.KeptPyMemcacheCache.get_many = recording
    try:
        for read in reads.values():
            call(app, *read)
    finally:
        objcache.KeptPyMemcacheCache.get_many = get_many
    cache.delete_many([k for k in set(asked) if not k.startswith(("v:", "token:"))])


def parts(names: str, reads: dict, app, reps: int) -> None:
    """CPU ms per request inside each named function (inclusive; a call inside another timed
    call counts in both), for each read: what a profiler's overhead would distort."""
    import importlib

    spent: dict[str, float] = {}
    for name in names.split(","):
        module_name, _, attr = name.partition(":")
        owner = importlib.import_module(module_name)
        *path, last = attr.split(".")
        for step in path:
            owner = getattr(owner, step)
        original = getattr(owner, last)
        spent[name] = 0.0

        def timed(*a, _original=original, _name=name, **k):
            start = time.process_time()
            try:
                return _original(*a, **k)
            finally:
                spent[_name] += time.process_time() - start

        setattr(owner, last, timed)
    for read, args in reads.items():
        for name in spent:
            spent[name] = 0.0
        start = time.process_time()
        for _ in range(reps):
            call(app, *args)
        total = time.process_time() - start
        print(f"{read}: {1000 * total / reps:.3f} ms/request")
        for name, seconds in spent.items():
            print(f"  {1000 * seconds / reps:7.3f}  {name}")


def ab(a: str, b: str, reads: dict, app, reps: int) -> None:
    """Two variants of the code, switched by running `a` or `b` (e.g. setting a module's flag)
    before each request, interleaved; CPU ms per request, medians, and B's saving."""
    variants = {"A": compile(a, "a", "exec"), "B": compile(b, "b", "exec")}
    times = {(v, name): [] for v in variants for name in reads}
    for code in variants.values():  # warm both
        exec(code, {})
        for read in reads.values():
            for _ in range(10):
                call(app, *read)
    for rep in range(reps):
        # each variant first every other time: what the first read after a switch pays (or the
        # read after another variant's) falls on both alike
        order = list(variants.items())
        for variant, code in order if rep % 2 else order[::-1]:
            exec(code, {})
            for name, read in reads.items():
                start = time.process_time()
                call(app, *read)
                times[variant, name].append(time.process_time() - start)
    for name in reads:
        a_ms = 1000 * statistics.median(times["A", name])
        b_ms = 1000 * statistics.median(times["B", name])
        print(f"{name:6} A {a_ms:.3f}  B {b_ms:.3f}  B-A {b_ms - a_ms:+.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--profile", choices=["feed", "media", "bare", "web"])
    parser.add_argument(
        "--fresh-entries",
        action="store_true",
        help="drop the reads' object cache entries first (stored by older code)",
    )
    parser.add_argument(
        "--loop",
        choices=["feed", "media", "bare", "web"],
        help="only make --reps of this read (py-spy)",
    )
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--a", help="Python run before each request of variant A (A/B mode)")
    parser.add_argument("--b", help="... and of variant B; both interleaved in one run")
    parser.add_argument(
        "--parts", help="module:function,... each timed on the CPU clock (inclusive), per request"
    )
    args = parser.parse_args()
    seeded = setup(args.fresh)
    app = application()
    from bench.feeds import web_session

    reads: dict[str, tuple] = {
        "feed": (FEED, seeded["token"]),
        "media": (seeded["media"], seeded["token"]),
        "bare": ("/bench/bare", None),
        # the web home page of the same reader, as a returning browser asks for it
        "web": ("/", None, web_session("reader").removeprefix("Cookie: ")),
    }
    if args.fresh_entries:
        drop_entries(app, reads)
    for read in reads.values():
        for _ in range(20):  # warm: caches, connections, the process's memory of rows
            status, body = call(app, *read)
            assert status.startswith("200"), (read[0], status, body[:300])
    if args.loop:
        for _ in range(args.reps):
            call(app, *reads[args.loop])
        return
    if args.parts:
        parts(args.parts, reads, app, args.reps)
        return
    if args.a is not None:
        ab(args.a, args.b or "", reads, app, args.reps)
        return
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.reps):
            call(app, *reads[args.profile])
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        print(f"{args.profile}: {args.reps} requests, CPU clock")
        stats.print_stats(args.lines)
        return
    times: dict[str, list[float]] = {name: [] for name in reads}
    for _ in range(args.reps):
        for name, read in reads.items():
            start = time.process_time()
            call(app, *read)
            times[name].append(time.process_time() - start)
    for name, spent in times.items():
        ms = sorted(1000 * t for t in spent)
        print(
            f"{name:6} CPU ms/request: median {statistics.median(ms):.3f}"
            f"  p25 {ms[len(ms) // 4]:.3f}  p75 {ms[3 * len(ms) // 4]:.3f}"
        )


if __name__ == "__main__":
    main()
