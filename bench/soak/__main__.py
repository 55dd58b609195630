"""`python -m bench.soak`: see bench/soak/__init__.py."""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.soak import faults, load, table, verify
from bench.soak.client import Tally
from bench.soak.ledger import Ledger

EMBEDDED_FAULTS = "app-worker,task-worker,disk-full,store-readonly,db-readonly,server"
CLUSTER_FAULTS = "app-server,celery,redis,memcached,rabbitmq,backup,postgres"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__)
    parser.add_argument("--mode", choices=["embedded", "cluster"], default="embedded")
    parser.add_argument("--duration", type=float, default=150, help="seconds of load (150)")
    parser.add_argument("--rate", type=float, default=20, help="actions per second (20)")
    parser.add_argument("--threads", type=int, default=8, help="load threads (8)")
    parser.add_argument("--people", type=int, default=24, help="personas signed up first (24)")
    parser.add_argument(
        "--faults", default=None,
        help=f"comma-separated, or `none` (embedded: {EMBEDDED_FAULTS}; cluster: {CLUSTER_FAULTS})",
    )  # fmt: skip
    parser.add_argument("--hold", type=float, default=12, help="seconds a lasting fault lasts (12)")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--port-offset", type=int, default=700, help="cluster mode's port offset")
    parser.add_argument("--keep", action="store_true", help="leave the target running")
    parser.add_argument("--out", type=Path, help="also write the table here")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def target_for(args: argparse.Namespace):
    if args.mode == "embedded":
        from bench.soak.embedded import Embedded
        from tests.support.servers import free_port

        return Embedded(args.data_dir or Path("var/soak-embedded"), free_port())
    from bench.soak.cluster import Cluster

    return Cluster(args.data_dir or Path("var/soak-cluster"), args.port_offset)


def probe(target, what: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak.probe", what], env=target.env,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def drain(target, timeout: float) -> float | None:
    """Seconds until no task waits; None if some still wait after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if int(probe(target, "depth")) == 0:
                return time.monotonic() - start
        except RuntimeError as error:
            print(f"soak: queue depth unreadable: {error}", file=sys.stderr)
        time.sleep(2)
    return None


def main() -> None:
    args = options()
    names = args.faults or (EMBEDDED_FAULTS if args.mode == "embedded" else CLUSTER_FAULTS)
    chosen = [] if names == "none" else names.split(",")
    target = target_for(args)
    unknown = [n for n in chosen if n not in target.FAULTS]
    if unknown:
        sys.exit(f"unknown faults for {args.mode} mode: {', '.join(unknown)}")
    rng = random.Random(args.seed)
    tally, ledger = Tally(), Ledger()
    target.ledger = ledger
    fault_log: list[str] = []
    marks: list[tuple[float, str]] = []
    print(f"soak: starting {args.mode} target", flush=True)
    target.up()
    try:
        people = [load.sign_up(target.base, tally, ledger) for _ in range(args.people)]
        personas = [
            load.Persona(p, target.base, tally, ledger, random.Random(rng.random()))
            for p in people
            if p is not None
        ]
        if len(personas) < 2:
            sys.exit(f"soak: only {len(personas)} sign-ups worked: {dict(tally.statuses)}")
        for persona in personas:  # a starting graph: each follows a few
            for _ in range(3):
                persona.follow()
        stop, heal_stop = threading.Event(), threading.Event()
        pace = load.Pace(args.rate)
        threads = [
            threading.Thread(
                target=load.run, args=(personas[i :: args.threads], pace, stop, rng.random())
            )
            for i in range(min(args.threads, len(personas)))
        ]
        schedule = faults.plan(chosen, args.duration)
        start = time.monotonic()
        injector = threading.Thread(
            target=faults.run,
            args=(target, schedule, args.hold, start, heal_stop, fault_log, marks),
        )
        print(
            f"soak: {args.duration:.0f} s of load at {args.rate} actions/s; faults: {schedule}",
            flush=True,
        )
        for thread in [*threads, injector]:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join()
        injector.join()  # lasting faults heal before the drain
        loaded = time.monotonic() - start
        print("soak: load stopped; draining", flush=True)
        drained = drain(target, args.drain_timeout)
        print("soak: reading back every acknowledged write", flush=True)
        lost = verify.read_back(target.base, ledger)
        print("soak: auditing the stores", flush=True)
        try:
            audit = json.loads(probe(target, "audit"))
        except RuntimeError as error:
            print(f"soak: audit failed: {error}", file=sys.stderr)
            audit = None
        restored = None
        if "backup" in chosen and target.before_backup is not None:
            print("soak: restoring the backup into a fresh install", flush=True)
            restored = backup_rows(target.before_backup, target.restore_fresh())
        header = [
            f"soak: {args.mode} mode, {loaded:.0f} s of load, {args.rate:g} actions/s over"
            f" {len(threads)} threads, {len(ledger.people)} people at the end",
            f"acknowledged: {len(ledger.uploads)} uploads, {len(ledger.follows)} follows,"
            f" {len(ledger.likes)} likes, {len(ledger.comments)} comments",
            f"commit: {git_head()}",
        ]
        report = table.render(
            header,
            tally,
            lost,
            audit,
            drained,
            fault_log,
            ledger.writes_answered_5xx,
            faults.failures_by_fault(tally.failures, marks),
            restored or [],
        )
        print(report, flush=True)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(report + "\n")
    finally:
        if not args.keep:
            target.down()


def backup_rows(before: dict[str, list], found: dict) -> list[tuple[str, str]]:
    """The table's rows for the backup fault: the writes acknowledged before `filmroll backup`
    began, looked up in the fresh install it was restored into."""
    missing = dict(found.get("missing", {}))
    files = missing.pop("photo files checked", 0)
    lacking = sum(missing.values())
    detail = ", ".join(f"{k} {n}" for k, n in missing.items())
    answer = f"{files - missing.get('photo files', 0)} of {files}"
    verdict = ("passed, " if found["passed"] else "FAILED, ") + found["restore"]
    return [
        ("backup: acknowledged before it", ", ".join(f"{len(v)} {k}" for k, v in before.items())),
        (
            "backup: of those, missing after restore",
            found.get("lookup") or f"{lacking}" + (f" ({detail})" if detail else ""),
        ),
        ("restore: their photo files answer", answer),
        ("restore: its own check", verdict),
    ]


def git_head() -> str:
    done = subprocess.run(["git", "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip()


if __name__ == "__main__":
    main()
