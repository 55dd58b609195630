"""Serving filmroll under Gunicorn for a benchmark and loading it with wrk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    """A loopback port nobody listens on (several benchmarks may run on one machine)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
_serving: list[subprocess.Popen] = []  # the server wrk loads (its workers' CPU is checked)
TRIES = 4  # runs of one measurement before its imbalance is accepted (and said)


def _workers_cpu(server: subprocess.Popen) -> dict[int, float]:
    """CPU seconds so far of each of the server's Gunicorn workers."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return found
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(child)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return found


def _lopsided(before: dict[int, float], after: dict[int, float]) -> bool:
    """Whether one worker did nearly all of a run's work. wrk opens its connections at once and
    they stay with whichever worker accepted them; when one worker is busy at that moment the
    other takes them all, and the run measures one worker on one core, not the code."""
    used = [after[pid] - before.get(pid, 0.0) for pid in after]
    return len(used) > 1 and min(used) < 0.5 * max(used)


def serve(env: dict[str, str], workers: int = 2) -> subprocess.Popen:
    """filmroll plus the bare comparison view (bench.bare_settings) on PORT, once healthy."""
    server = subprocess.Popen(
        [sys.executable, "-m", "filmroll.cli", "serve", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(workers), "--no-tasks"],
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.bare_settings",
             "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        # BENCH_SERVER_LOG=FILE keeps the server's errors, to see why a request failed
        stderr=open(os.environ["BENCH_SERVER_LOG"], "ab")  # noqa: SIM115  (the server's, for life)
        if os.environ.get("BENCH_SERVER_LOG")
        else subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 90  # a loaded machine may take a minute to start Gunicorn
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            _serving[:] = [server]
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the benchmark server did not start: run `make services` first")


def stop(server: subprocess.Popen) -> None:
    if server in _serving:
        _serving.remove(server)
    server.terminate()
    server.wait()


def wrk(
    path: str, token: str | None, seconds: int, headers: tuple[str, ...] = ()
) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    for header in headers:
        command += ["-H", header]
    for attempt in range(1, TRIES + 1):
        before = _workers_cpu(_serving[0]) if _serving else {}
        out = subprocess.run(
            [*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True
        ).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"errors while benchmarking {path}:\n{out}")
        if not _serving or not _lopsided(before, _workers_cpu(_serving[0])):
            break
        print(f"  {path}: one worker took nearly all connections (run {attempt} of {TRIES})",
              file=sys.stderr)  # fmt: skip
    return figures(out)


def figures(out: str) -> tuple[float, float, float]:
    """From wrk's report (--latency): requests per second, p50 and p99 latency in ms."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rate, percentile("50"), percentile("99")


def body_bytes(path: str, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    return len(urllib.request.urlopen(request).read())
