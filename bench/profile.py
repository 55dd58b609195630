"""Flame graphs of the reads under load: py-spy samples the Gunicorn workers while wrk reads the
home feed (20 items, warm caches), then one photo (`GET /api/v1/media/{id}`). SVGs go to
bench/results/flame-feed[-LABEL].svg and flame-media[-LABEL].svg; the functions that took the
most time (own and with callees) are printed.

    make bench-profile      (needs the servers `make services` starts; py-spy needs ptrace)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.feeds import ENV, FEED, log, seed_reader, setup_install  # noqa: E402
from bench.results import RESULTS  # noqa: E402
from bench.served import PORT, serve, stop, wrk  # noqa: E402


def first_media(token: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{FEED}", headers={"Authorization": f"Bearer {token}"}
    )
    return json.loads(urllib.request.urlopen(request).read())["data"][0]["id"]


def record(server: subprocess.Popen, path: str, token: str, seconds: int, out: Path) -> None:
    """py-spy on the Gunicorn master and its workers while wrk loads `path`; raw samples beside
    the SVG, for the summary."""
    raw = out.with_suffix(".txt")
    base = [str(Path(sys.executable).parent / "py-spy"), "record",
            "--pid", str(server.pid), "--subprocesses", "--rate", "200",
            "--duration", str(seconds), "--nonblocking"]  # fmt: skip
    spies = [
        subprocess.Popen([*base, "--format", "flamegraph", "-o", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([*base, "--format", "raw", "-o", str(raw)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    load = threading.Thread(target=wrk, args=(path, token, seconds + 1))
    load.start()
    for spy in spies:
        spy.wait()
    load.join()
    summarize(raw)


def summarize(raw: Path, top: int = 24) -> None:
    """Where the requests' time went, from py-spy's raw (collapsed) stacks: filmroll's own
    functions with what they call, and the functions (any code) spending it themselves.
    Samples outside a request (the master, idle threads) are left out."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "handle_request" not in stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        ours = {_name(f) for f in frames if "filmroll/" in f and "/.venv/" not in f}
        for frame in ours:
            inclusive[frame] += n
        own[_name(frames[-1])] += n
    print(f"{raw.name}: {total} samples inside requests (wall clock: waiting included)")
    print("  filmroll's functions, with what they call:")
    for frame, n in inclusive.most_common(top):
        print(f"    {100 * n / total:5.1f}%  {frame}")
    print("  own time:")
    for frame, n in own.most_common(top // 2):
        print(f"    {100 * n / total:5.1f}%  {frame}")


def _name(frame: str) -> str:
    """`function (path/file.py:line)` as `function (package/file.py)`."""
    function, _, where = frame.partition(" (")
    path = where.split(":")[0]
    return f"{function} ({'/'.join(path.split('/')[-2:])})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--label", default="", help="a suffix for the files: before, after...")
    args = parser.parse_args()
    log("setting up a PostgreSQL install with Redis feeds and memcached...")
    setup_install()
    token = seed_reader()
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    server = serve(ENV)
    try:
        media = f"/api/v1/media/{first_media(token)}"
        wrk(FEED, token, 2)  # warm the caches
        wrk(media, token, 1)
        record(server, FEED, token, args.seconds, RESULTS / f"flame-feed{suffix}.svg")
        record(server, media, token, args.seconds, RESULTS / f"flame-media{suffix}.svg")
    finally:
        stop(server)
    print(f"flame graphs: bench/results/flame-feed{suffix}.svg, flame-media{suffix}.svg")


if __name__ == "__main__":
    main()
