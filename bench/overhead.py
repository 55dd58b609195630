"""Observability overhead: home-feed reads per second under wrk through Gunicorn with metrics,
structured request logs and Sentry (sending to a loopback sink) all on, beside all three off,
in one run, alternating; medians.

    make bench-overhead      (needs the servers `make services` starts)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import results  # noqa: E402
from bench.feeds import ENV, log, seed_reader, setup_install  # noqa: E402
from bench.served import serve, stop, wrk  # noqa: E402

FEED = "/api/v1/users/self/feed?count=20"


def sentry_sink() -> str:
    """A loopback endpoint taking whatever Sentry sends; its DSN."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://key@127.0.0.1:{server.server_port}/1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument(
        "--parts", default="metrics,logs,sentry", help="which to turn on (%(default)s)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    log("setting up a PostgreSQL install with Redis feeds and memcached...")
    setup_install()
    token = seed_reader()
    modes = {
        "on": {"FILMROLL_METRICS": "1" if "metrics" in parts else "0",
               "FILMROLL_REQUEST_LOGS": "1" if "logs" in parts else "0",
               "FILMROLL_SENTRY_DSN": sentry_sink() if "sentry" in parts else ""},
        "off": {"FILMROLL_METRICS": "0", "FILMROLL_REQUEST_LOGS": "0", "FILMROLL_SENTRY_DSN": ""},
    }  # fmt: skip
    runs: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in modes}
    for round_no in range(args.rounds):
        for mode, extra in modes.items():
            log(f"round {round_no + 1}/{args.rounds}: observability {mode}")
            server = serve({**ENV, **extra})
            try:
                wrk(FEED, token, 2)  # warm the caches
                runs[mode].append(wrk(FEED, token, args.seconds))
            finally:
                stop(server)
    med = {k: [statistics.median(r[i] for r in v) for i in range(3)] for k, v in runs.items()}
    print(f"2 Gunicorn workers, wrk -t2 -c16, {args.rounds} rounds of {args.seconds} s, medians")
    for mode, label in (("on", " + ".join(sorted(parts)) + " on"), ("off", "all three off")):
        rate, p50, p99 = med[mode]
        print(f"feed read, {label:28} {rate:8.0f} req/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    ratio = results.Ratio("feed read, observability on / off", med["on"][0] / med["off"][0], 0.95)
    print(f"ratio {ratio.value:.3f} (goal >= {ratio.goal:g})")
    results.write(
        "overhead",
        {"rounds": args.rounds, "seconds": args.seconds, "parts": sorted(parts),
         "on": results.wrk_figures(med["on"]), "off": results.wrk_figures(med["off"])},
        [ratio],
    )  # fmt: skip


if __name__ == "__main__":
    main()
