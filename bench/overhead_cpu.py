"""CPU per feed read of each observability part (metrics, JSON request logs, Sentry) on beside
all off, in one run: one process per variant (a part is switched at start, as in production:
Sentry patches what it patches once and for good), the variants' requests interleaved in small
batches so that a busy machine slows them alike; medians of each process's CPU clock. With
--against, each variant runs from another checkout of the code too (the same install), to
compare two versions of the code in one run.

    .venv/bin/python -m bench.overhead_cpu [--reps 300] [--variants off,sentry,logs,metrics,all]
        [--against DIR] [--install NAME]

The install is bench/cpu.py's (made on the first run, kept); --install NAME makes and uses one
of its own (databases filmroll_bench_NAME_*, Redis databases 11 and 12, var/bench-NAME), for a
run beside someone else's bench/cpu.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# the code measured (filmroll): this checkout's, or the one a driver's --against names
CODE = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(CODE))
HERE = Path(__file__).resolve().parent.parent

OFF = {"FILMROLL_METRICS": "0", "FILMROLL_REQUEST_LOGS": "0", "FILMROLL_SENTRY_DSN": ""}
PARTS = {
    "metrics": {"FILMROLL_METRICS": "1"},
    "logs": {"FILMROLL_REQUEST_LOGS": "1"},
    "sentry": {"BENCH_SENTRY": "sink"},  # the child starts a loopback ingest, its DSN set there
}


def environment(variant: str) -> dict[str, str]:
    env = {**OFF, "FILMROLL_LOG_FORMAT": "json"}
    # off2: all off again, in a process of its own (how far two processes of the same differ)
    for name in PARTS if variant == "all" else [] if variant.startswith("off") else [variant]:
        env.update(PARTS[name])
    return env


def use_install(name: str | None) -> None:
    """bench/cpu.py's install, or one named `name`; its data directory in this checkout (the
    driver's, when the code measured is another's)."""
    from bench import cpu

    sys.path.insert(0, str(CODE))  # before bench/cpu.py's own checkout, which it put first
    data = f"bench-{name}" if name else "bench-cpu"
    env = {**cpu.ENV, "FILMROLL_DATA_DIR": str(HERE / "var" / data)}
    if name:
        env = {
            key: value.replace("filmroll_bench_cpu_", f"filmroll_bench_{name}_")
            .replace("/13", "/11")
            .replace("/14", "/12")
            for key, value in env.items()
        }
    cpu.ENV = env
    cpu.SEEDED = HERE / "var" / data / "seeded.json"


def child() -> None:
    """Make the feed reads asked for on stdin (a count per line); answer each batch's CPU
    seconds per read as a JSON list."""
    if os.environ.get("BENCH_SENTRY") == "sink":
        from bench.overhead import sentry_sink

        # a loopback ingest: nothing is sent without an error, but the client is as in production
        os.environ["FILMROLL_SENTRY_DSN"] = sentry_sink()
    from bench import cpu

    seeded = cpu.setup(fresh=False)
    app = cpu.application()
    read = (cpu.FEED, seeded["token"])
    for _ in range(50):
        status, body = cpu.call(app, *read)
        assert status.startswith("200"), (status, body[:300])
    for line in sys.stdin:
        spent = []
        for _ in range(int(line)):
            start = time.process_time()
            cpu.call(app, *read)
            spent.append(time.process_time() - start)
        print(json.dumps(spent), flush=True)


def spawn(variant: str, code: Path, install: str | None, logs: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.overhead_cpu", "--child"]
        + (["--install", install] if install else []),
        # this checkout's bench/, the other's filmroll (found first on the path)
        # one hash seed: dicts and sets laid out alike in every process
        env={
            **os.environ,
            **environment(variant),
            "BENCH_CODE": str(code),
            "PYTHONPATH": str(HERE),
            "PYTHONHASHSEED": "0",
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        # the request log lines go where a server's would: out of the process
        stderr=(logs / f"{variant}-{code.name}.log").open("w"),
        text=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="each with fresh processes")
    parser.add_argument("--variants", default="off,sentry,logs,metrics,all")
    parser.add_argument(
        "--against", type=Path, help="another checkout, each variant run from it too"
    )
    parser.add_argument("--install", help="an install of this name, not bench/cpu.py's")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    use_install(args.install)
    if args.child:
        child()
        return
    from bench import cpu

    cpu.setup(fresh=False)  # the install, once, before the variants use it
    logs = cpu.SEEDED.parent / "overhead-logs"
    logs.mkdir(parents=True, exist_ok=True)
    codes = [HERE] + ([args.against.resolve()] if args.against else [])
    variants = [(variant, code) for code in codes for variant in args.variants.split(",")]
    medians: dict[tuple, list[float]] = {key: [] for key in variants}
    for _ in range(args.rounds):
        for key, spent in measure(variants, args, logs).items():
            medians[key].append(statistics.median(spent))
    print(
        f"feed read, CPU ms per request: median of {args.rounds} rounds' medians of {args.reps}"
        f" (fresh processes each round), load {os.getloadavg()[0]:.1f}"
    )
    for code in codes:
        off = statistics.median(medians["off", code]) if ("off", code) in medians else None
        for variant in args.variants.split(","):
            ms = 1000 * statistics.median(medians[variant, code])
            versus = f"  {ms - 1000 * off:+.3f} ms  off/on {1000 * off / ms:.3f}" if off else ""
            rounds = " ".join(f"{1000 * m:.3f}" for m in medians[variant, code])
            print(f"{code.name:12} {variant:8} {ms:.3f}{versus}   ({rounds})")


def measure(variants: list[tuple], args: argparse.Namespace, logs: Path) -> dict:
    """A process per variant, their reads interleaved in batches; each one's CPU seconds."""
    procs = {key: spawn(*key, args.install, logs) for key in variants}
    times: dict[tuple, list[float]] = {key: [] for key in procs}
    for _ in range(args.reps // args.batch):
        for key, proc in procs.items():
            assert proc.stdin and proc.stdout
            proc.stdin.write(f"{args.batch}\n")
            proc.stdin.flush()
            times[key].extend(json.loads(proc.stdout.readline()))
    for proc in procs.values():
        assert proc.stdin
        proc.stdin.close()
        proc.wait()
    return times


if __name__ == "__main__":
    main()
