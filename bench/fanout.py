"""Fan-out on the embedded default (SQLite), full feeds beside empty ones, in one run:

one post to N followers (3,000) whose feeds are full (the cap, 1,000 entries), beside one post
to N followers whose feeds are empty, each run by the real task worker (`filmroll worker`)
while likes come in over HTTP (`filmroll serve`); per side, the seconds from posting to the
last feed and the p99 of the likes answered meanwhile; medians over the rounds and the ratio.

A third side, "at trim", is the worst case of the full feeds: a full feed grows a slack (a tenth
of the cap) past the cap before it is trimmed back by batch, so a few posts into full feeds
trim none of them; here every feed stands at the cap plus its slack before each round, so the
post trims every one of them (the cost a feed pays once every slack posts).

    make bench-fanout      (needs no servers: it makes its own install in var/bench-fanout)
Figures to stdout and bench/results/fanout.json (bench/results.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import results as results_file  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

DATA = ROOT / "var" / "bench-fanout"
ENV = {
    "FILMROLL_DATA_DIR": str(DATA),
    "FILMROLL_FANOUT_LIMIT": "100000000",
    "FILMROLL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
    "FILMROLL_REQUEST_LOGS": "0",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup() -> None:
    shutil.rmtree(DATA, ignore_errors=True)
    os.environ.update(ENV)
    subprocess.run([sys.executable, "-m", "filmroll.cli", "init"], check=True, capture_output=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django

    django.setup()


def old_entries(length: int) -> list[int]:
    """`length` old media IDs, newest first: a feed's entries, older than any post made here."""
    from filmroll.sharding import ids

    return sorted((ids.make_id(ids.EPOCH_MS + n, 1, n) for n in range(length)), reverse=True)


def fill(follower_ids: list[int], feed_length: int) -> None:
    """Give each of these feeds `feed_length` old entries, past the cap if asked (a feed that
    has grown its slack: `replace` itself keeps the cap)."""
    from django.conf import settings

    from filmroll.feeds.store import store

    old, kept = old_entries(feed_length), settings.FILMROLL
    settings.FILMROLL = dataclasses.replace(kept, feed_cap=max(kept.feed_cap, feed_length))
    try:
        feeds = store()
        for n, follower in enumerate(follower_ids):
            feeds.replace(follower, old)
            if n % 1000 == 999:
                log(f"  {n + 1} feeds of {feed_length} entries")
    finally:
        settings.FILMROLL = kept


def followers_of(author_id: int, count: int, feed_length: int, salt: int) -> list[int]:
    """`count` made-up follower IDs spread over the logical shards, following `author_id`, each
    with a built feed of `feed_length` old entries (fan-out reads only these rows)."""
    from filmroll.sharding import db, ids, shardmap

    shards = shardmap.logical_count()
    base = int(time.time() * 1000) - 50_000_000
    follower_ids = [ids.make_id(base + n, (n * 7 + salt) % shards, salt) for n in range(count)]
    shard = ids.shard_of(author_id)
    for start in range(0, count, 400):
        chunk = follower_ids[start : start + 400]
        db.execute(
            shard,
            "INSERT INTO {followers} (user_id, follower_id, created_ms) VALUES "
            + ", ".join(["(%s, %s, 0)"] * len(chunk)),
            [v for f in chunk for v in (author_id, f)],
        )
    fill(follower_ids, feed_length)
    return follower_ids


def feed_lengths(sample: list[int]) -> set[int]:
    """The distinct lengths (rows) of these feeds."""
    from filmroll.sharding import db, ids

    return {
        db.fetchone(ids.shard_of(f), "SELECT count(*) FROM {feeds} WHERE user_id = %s", [f])[0]
        for f in sample
    }


def delivered(media_id: int, sample: list[int]) -> int:
    from filmroll.sharding import db, ids

    return sum(
        db.fetchone(
            ids.shard_of(f), "SELECT count(*) FROM {feeds} WHERE user_id = %s AND media_id = %s",
            [f, media_id],
        )[0]
        for f in sample
    )  # fmt: skip


class Likers:
    """Threads liking and unliking a photo over HTTP, each answer timed."""

    def __init__(self, base: str, tokens: list[str], media_id: int) -> None:
        self.base, self.media_id = base, media_id
        self.samples: list[tuple[float, float, int]] = []  # (start, ms, status)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in tokens]
        for thread in self.threads:
            thread.start()

    def run(self, token: str) -> None:
        url = f"{self.base}/api/v1/media/{self.media_id}/likes"
        method = "POST"
        while not self.stop.is_set():
            request = urllib.request.Request(
                url, method=method, headers={"Authorization": f"Bearer {token}"}
            )
            start = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.samples.append((start, (time.monotonic() - start) * 1000, status))
            method = "DELETE" if method == "POST" else "POST"
            time.sleep(0.02)

    def during(self, begin: float, end: float) -> list[tuple[float, float, int]]:
        return [s for s in self.samples if begin <= s[0] <= end]

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else (values or [0.0])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--followers", type=int, default=3000)
    parser.add_argument("--feed", type=int, default=1000, help="entries in a full feed")
    parser.add_argument("--likers", type=int, default=4)
    args = parser.parse_args()
    log("making an embedded install in var/bench-fanout...")
    setup()
    from django.conf import settings

    from filmroll.accounts import tokens
    from filmroll.accounts.models import User
    from filmroll.feeds.store import slack
    from filmroll.media import photos, pipeline
    from filmroll.media.samples import paint

    settings.FILMROLL = dataclasses.replace(settings.FILMROLL, feed_cap=args.feed)
    at_trim = args.feed + slack(args.feed)
    sides = ("empty", "full", "trim")
    authors = {side: User.objects.create_user(f"author_{side}", "", None) for side in sides}
    log(
        f"{args.followers:,} followers each with empty feeds, full ones ({args.feed}) and ones"
        f" at the trim ({at_trim})..."
    )
    followers = {
        "empty": followers_of(authors["empty"].id, args.followers, 0, 1),
        "full": followers_of(authors["full"].id, args.followers, args.feed, 2),
        "trim": followers_of(authors["trim"].id, args.followers, 0, 3),
    }
    rendered = pipeline.render(paint(random.Random(1), 64, 64), "normal")
    poster = User.objects.create_user("poster", "", None)
    liked = photos.publish(poster.id, rendered, "normal")
    likers = [
        tokens.issue(User.objects.create_user(f"liker{n}", "", None)) for n in range(args.likers)
    ]
    port = free_port()
    env = {**os.environ, **ENV, "FILMROLL_FEED_CAP": str(args.feed)}
    server = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--no-tasks"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "worker", "--verbosity", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    results: dict[str, list[tuple[float, float, int]]] = {side: [] for side in sides}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        load = Likers(base, likers, liked)
        time.sleep(3)  # the likes settle: queued activity tasks are worked off
        try:
            for round_ in range(args.rounds):
                for side in sides:
                    if side == "trim":  # back to the cap plus its slack: this post trims each
                        fill(followers["trim"], at_trim)
                        time.sleep(2)
                    sample = (
                        followers[side][:: max(1, args.followers // 200)] + followers[side][-1:]
                    )
                    begin = time.monotonic()
                    media_id = photos.publish(authors[side].id, rendered, "normal")
                    while delivered(media_id, sample) < len(sample):
                        if time.monotonic() - begin > 900:
                            raise RuntimeError(f"the {side} fan-out did not finish in 900 s")
                        time.sleep(0.1)
                    end = time.monotonic()
                    during = load.during(begin, end)
                    errors = sum(1 for s in during if s[2] not in (200, 201))
                    ms = p99([s[1] for s in during])
                    results[side].append((end - begin, ms, errors))
                    if side == "trim":
                        trimmed = feed_lengths(followers["trim"][:: max(1, args.followers // 50)])
                        if trimmed != {args.feed}:
                            raise RuntimeError(f"feeds at the trim were not trimmed: {trimmed}")
                    log(
                        f"round {round_ + 1} {side:5}: fan-out {end - begin:6.2f} s, like p99"
                        f" {ms:7.1f} ms over {len(during)} likes, {errors} errors"
                    )
                    time.sleep(2)
        finally:
            load.close()
    finally:
        for process in (worker, server):
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a worker amid a long task, or a stuck server
                process.kill()
                process.wait()
    seconds = {side: statistics.median(r[0] for r in rows) for side, rows in results.items()}
    tail = {side: statistics.median(r[1] for r in rows) for side, rows in results.items()}
    errors = {side: sum(r[2] for r in rows) for side, rows in results.items()}
    names = {
        "full": f"full feeds ({args.feed} entries)",
        "trim": f"at the trim ({at_trim}, each trimmed)",
        "empty": "empty feeds (baseline)",
    }
    lines = [
        f"fan-out of one post to {args.followers:,} followers, medians of {args.rounds} rounds:"
    ]
    for side in ("full", "trim", "empty"):
        lines.append(
            f"  {names[side] + ':':38} {seconds[side]:6.2f} s, like p99 {tail[side]:7.1f} ms,"
            f" {errors[side]} failed likes"
        )
    for side in ("full", "trim"):
        lines.append(
            f"  ratio {side}/empty: fan-out {seconds[side] / seconds['empty']:.2f},"
            f" like p99 {tail[side] / max(tail['empty'], 0.001):.2f}"
        )
    print("\n".join(lines))
    figures = {"followers": args.followers, "feed_cap": args.feed, "rounds": args.rounds,
               "seconds": seconds, "like_p99_ms": tail, "failed_likes": errors}  # fmt: skip
    print(json.dumps(figures))
    ratio = results_file.Ratio
    results_file.write(
        "fanout",
        figures,
        [
            ratio("fan-out to full feeds / to empty", seconds["full"] / seconds["empty"], 2.0,
                  higher_is_better=False),
            ratio("fan-out to feeds at the trim / to empty", seconds["trim"] / seconds["empty"],
                  2.0, higher_is_better=False),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
