"""Deleting an account on the embedded default (SQLite): the purge of a person with 10,000 photos
(four stored sizes each) and 100,000 followers, run by the real task worker (`filmroll worker`),
while other people read their home feeds over HTTP (`filmroll serve`): the seconds the purge
takes, and the p99 of the feed reads during it beside the p99 of the same reads idle.

Rows are seeded in bulk straight into the shard tables (the followers' `following` rows and
counts included, a built home feed holding the person's photos for some of them, likes on the
photos), so the setup takes a minute, not an hour.

    make bench-leaving      (needs no servers: it makes its own install in var/bench-leaving)
"""

from __future__ import annotations

import argparse
import json
import os
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
from bench import results  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

DATA = ROOT / "var" / "bench-leaving"
ENV = {
    "FILMROLL_DATA_DIR": str(DATA),
    "FILMROLL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
    "FILMROLL_REQUEST_LOGS": "0",
    "FILMROLL_FANOUT_LIMIT": "1000000000",
}
SIZES = ("thumbnail", "low_resolution", "standard_resolution", "high_resolution")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup() -> None:
    shutil.rmtree(DATA, ignore_errors=True)
    os.environ.update(ENV)
    subprocess.run([sys.executable, "-m", "filmroll.cli", "init"], check=True, capture_output=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django

    django.setup()


def insert(shard: int, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    from filmroll.sharding import db

    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per = max(1, 900 // len(columns))  # SQLite's limit of bound values per statement
    with db.atomic(shard):
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            db.execute(
                shard,
                f"INSERT INTO {{{table}}} ({', '.join(columns)}) VALUES "
                + ", ".join([marks] * len(chunk)),
                [v for row in chunk for v in row],
            )


def seed(leaver_id: int, photos: int, followers: int, feeds: int) -> list[Path]:
    """The person's photos (files on disk, rows), followers (both sides, counts), some built
    feeds holding the person's newest photos, and likes; the photo and follower IDs."""
    from django.conf import settings

    from filmroll.accounts import counts
    from filmroll.files import storage
    from filmroll.sharding import ids, shardmap

    shard, now = ids.shard_of(leaver_id), int(time.time() * 1000)
    media_ids = [ids.make_id(now - 10_000_000 + n * 10, shard, n) for n in range(photos)]
    jpeg = b"\xff\xd8" + b"\0" * 2000 + b"\xff\xd9"
    root = Path(settings.MEDIA_ROOT)
    rows, files = [], []
    for n, media_id in enumerate(media_ids):
        images = {}
        for name in SIZES:
            key = storage.new_key("jpg")
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpeg)
            files.append(path)
            images[name] = {"key": key, "width": 640, "height": 640}
        rows.append((media_id, leaver_id, f"photo {n} #benchleaving", json.dumps(images)))
        if n % 2000 == 1999:
            log(f"  {n + 1:,} photos stored")
    insert(shard, "media", ("id", "user_id", "caption", "images"), rows)
    counts.bump(leaver_id, "media", photos)
    logical = shardmap.logical_count()
    follower_ids = [ids.make_id(now - 50_000_000 + n, (n * 7 + 3) % logical, n)
                    for n in range(followers)]  # fmt: skip
    insert(shard, "followers", ("user_id", "follower_id", "created_ms"),
           [(leaver_id, f, now) for f in follower_ids])  # fmt: skip
    by_shard: dict[int, list[int]] = {}
    for f in follower_ids:
        by_shard.setdefault(ids.shard_of(f), []).append(f)
    for other, found in by_shard.items():
        insert(other, "following", ("user_id", "target_id", "created_ms"),
               [(f, leaver_id, now) for f in found])  # fmt: skip
        insert(other, "counts", ("user_id", "follows"), [(f, 1) for f in found])
    counts.bump(leaver_id, "followed_by", followers)
    log(f"  {followers:,} followers")
    newest = sorted(media_ids, reverse=True)[:50]
    for f in follower_ids[:feeds]:
        insert(ids.shard_of(f), "feeds", ("user_id", "media_id"), [(f, m) for m in newest])
        insert(ids.shard_of(f), "feeds_built", ("user_id", "entries"), [(f, len(newest))])
    # a like from a follower on every photo, with the liker's mirror row
    likes = [(m, follower_ids[n % followers], now) for n, m in enumerate(media_ids)]
    insert(shard, "likes", ("media_id", "user_id", "created_ms"), likes)
    mirrors: dict[int, list[tuple]] = {}
    for m, f, t in likes:
        mirrors.setdefault(ids.shard_of(f), []).append((f, m, t))
    for other, found_likes in mirrors.items():
        insert(other, "user_likes", ("user_id", "media_id", "created_ms"), found_likes)
    log(f"  {feeds:,} built feeds, {len(likes):,} likes")
    return files


class Readers:
    """Threads reading their home feeds over HTTP, each answer timed."""

    def __init__(self, base: str, tokens: list[str]) -> None:
        self.base = base
        self.samples: list[tuple[float, float, int]] = []  # (start, ms, status)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in tokens]
        for thread in self.threads:
            thread.start()

    def run(self, token: str) -> None:
        url = f"{self.base}/api/v1/users/self/feed?count=20"
        while not self.stop.is_set():
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            start = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.samples.append((start, (time.monotonic() - start) * 1000, status))
            time.sleep(0.05)

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
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=2_000, help="followers with a built feed")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--idle", type=float, default=15, help="seconds of reads before")
    args = parser.parse_args()
    log("making an embedded install in var/bench-leaving...")
    setup()
    from django.utils import timezone

    from filmroll.accounts import leaving, tokens
    from filmroll.accounts.models import User
    from filmroll.graph import relationships
    from filmroll.media import photos, pipeline
    from filmroll.media.samples import paint
    from filmroll.tasks.dispatch import enqueue

    leaver = User.objects.create_user("leaver", "", "a long bench passphrase")
    log(f"seeding {args.photos:,} photos and {args.followers:,} followers...")
    started = time.monotonic()
    files = seed(leaver.id, args.photos, args.followers, args.feeds)
    log(f"seeded in {time.monotonic() - started:.0f} s")
    # the readers: other people, each following an author with photos of their own
    import random

    rendered = pipeline.render(paint(random.Random(1), 64, 64), "normal")
    author = User.objects.create_user("author", "", None)
    for _ in range(30):
        photos.publish(author.id, rendered, "normal")
    readers = []
    for n in range(args.readers):
        reader = User.objects.create_user(f"reader{n}", "", None)
        relationships.act(reader, author, "follow")
        readers.append(tokens.issue(reader))
    port = free_port()
    env = {**os.environ, **ENV}
    server = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--no-tasks"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker, worker_log = None, None
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        load = Readers(base, readers)
        try:
            time.sleep(2)  # feeds built, connections warm
            idle_begin = time.monotonic()
            time.sleep(args.idle)
            idle = load.during(idle_begin, time.monotonic())
            # the request, its grace over, and the worker's purge
            User.objects.filter(id=leaver.id).update(
                is_active=False, delete_after=timezone.now() - timezone.timedelta(seconds=1)
            )
            # its warnings and errors, to read after a failed run
            worker_log = open(DATA / "worker.log", "wb")  # noqa: SIM115  (closed below)
            worker = subprocess.Popen(
                [sys.executable, "-m", "filmroll.cli", "worker", "--verbosity", "0"],
                env=env, stdout=worker_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            time.sleep(3)  # the worker's start-up is not the purge's
            begin = time.monotonic()
            enqueue("leaving.purge", leaver.id)
            while User.objects.filter(id=leaver.id).exists():
                if time.monotonic() - begin > 3600:
                    raise RuntimeError("the purge did not finish in an hour")
                time.sleep(0.2)
            end = time.monotonic()
            during = load.during(begin, end)
        finally:
            load.close()
    finally:
        for process in (worker, server):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if worker_log is not None:
            worker_log.close()
    from filmroll.sharding import db, ids

    left = db.fetchone(ids.shard_of(leaver.id), "SELECT count(*) FROM {media} WHERE user_id = %s",
                       [leaver.id])[0]  # fmt: skip
    files_left = sum(1 for path in files if path.exists())
    assert left == 0 and leaving.buried("leaver"), "the purge left the person's photos"
    seconds = end - begin
    idle_p99, busy_p99 = p99([s[1] for s in idle]), p99([s[1] for s in during])
    errors = sum(1 for s in during if s[2] != 200)
    figures = {
        "photos": args.photos, "followers": args.followers, "built_feeds": args.feeds,
        "purge_seconds": round(seconds, 1),
        "feed_read_p99_ms_idle": round(idle_p99, 1),
        "feed_read_p99_ms_during_purge": round(busy_p99, 1),
        "feed_reads_during_purge": len(during), "failed_reads_during_purge": errors,
        "photo_files": len(files), "photo_files_left": files_left,
    }  # fmt: skip
    print(
        f"purge of a person with {args.photos:,} photos and {args.followers:,} followers:"
        f" {seconds:.1f} s\n"
        f"  feed reads of other people: p99 {idle_p99:.1f} ms idle, {busy_p99:.1f} ms during the"
        f" purge ({len(during)} reads, {errors} failed)"
    )
    path = results.write(
        "leaving",
        figures,
        [
            results.Ratio(
                "feed read p99 during a purge / idle",
                busy_p99 / max(idle_p99, 0.001),
                goal=3.0,
                higher_is_better=False,
            )
        ],  # fmt: skip
    )
    print(json.dumps(figures))
    log(f"wrote {path}")


if __name__ == "__main__":
    main()
