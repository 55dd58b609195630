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
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the benchmark server did not start: run `make services` first")


def stop(server: subprocess.Popen) -> None:
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
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors while benchmarking {path}:\n{out}")
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
